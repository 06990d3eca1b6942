#!/usr/bin/env bash
# Instructions a case-library month costs, counted by valgrind (cachegrind, no cache simulation):
# the same count for the same code, inputs and environment whatever else the machine is doing, so
# two versions of the model can be compared on a busy machine where timings cannot. Runs every case
# of configs/cases at its defaults on seeds 1 and 2 (build included), subtracts the cost of
# starting Python and loading the cases, and divides by the months run. About 2 min.
#
#     bash benchmarks/instructions.sh            # this checkout
#     bash benchmarks/instructions.sh ../other   # another checkout, with this checkout's venv (or $PYTHON)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "${1:-$here}" && pwd)"
py="${PYTHON:-$here/.venv/bin/python}"
[ -x "$py" ] || { echo "error: $py not found (run scripts/setup.sh, or set PYTHON)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "error: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
code='import sys
sys.path.insert(0, sys.argv[1])
from benchmarks import case_library
from sim.run.runner import simulate
cases = case_library.load_cases()
months = 0
for seed in sys.argv[2:]:
    for _, cfg in cases:
        months += simulate(cfg, int(seed)).steps
print("months", months, file=sys.stderr)'
count() {
  cd "$root" && valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$py" -c "$code" "$root" "$@" 2>&1 |
    awk '/months/ {m = $2} /I *refs/ {gsub(",", "", $NF); i = $NF} END {print i, m + 0}'
}
read -r load _ < <(count)
read -r full months < <(count 1 2)
echo "instructions per month: $(( (full - load) / months )) ($months months of the case library on seeds 1 and 2, build included; $root)"
