#!/usr/bin/env bash
# Install everything symbiosis-sim needs, from nothing: a Python 3.12 venv in .venv with the
# package and its test extras, and (for the browser tests) Debian's Chromium when run as root.
# Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want="$(cat .python-version)"
py=""
for cand in "${PYENV_ROOT:-$HOME/.pyenv}/versions/$want/bin/python" "$(command -v "python${want%.*}" || true)" "$(command -v python3.12 || true)"; do
  if [ -n "$cand" ] && [ -x "$cand" ]; then py="$cand"; break; fi
done
if [ -z "$py" ]; then
  echo "error: Python $want not found (install it with pyenv: pyenv install $want)" >&2
  exit 2
fi

if [ ! -x .venv/bin/python ]; then
  "$py" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
fi
.venv/bin/python -m pip install -q -e ".[test]" 2>&1 | grep -vE "^(WARNING|  |$)" || true
.venv/bin/python -c "import sim, mesa; print(f'symbiosis-sim ready: mesa {mesa.__version__}')"

# Browser tests drive Debian's Chromium, never a downloaded browser build; `compare` prints its
# report.pdf with it, and the report's browser test reads that PDF with poppler-utils (pdftoppm).
if [ "${SKIP_CHROMIUM:-0}" != "1" ] && { ! command -v chromium >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; }; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null
  else
    echo "note: chromium or poppler-utils is missing; the browser tests and report.pdf need them (apt-get install chromium poppler-utils)" >&2
  fi
fi
