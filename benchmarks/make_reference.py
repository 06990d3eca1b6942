"""Write ``tests/data/reference_outputs.json``: SHA-256 digests of a fixed set of runs.

The equality test (``tests/test_equality.py``) re-runs the same scenarios and compares digests, so
a performance change that alters any number, event or exchange fails it. Regenerate only when a
change of results is intended, and say why in the commit message:

    .venv/bin/python benchmarks/make_reference.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.run import reference  # noqa: E402

REFERENCE = ROOT / "tests" / "data" / "reference_outputs.json"


def outputs() -> dict[str, dict[str, str]]:
    """Digests of the three result tables of every scenario."""
    return {name: reference.digests(cfg, seed) for name, (cfg, seed) in reference.scenarios().items()}


def main() -> int:
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    data = {"commit": commit, "scenarios": outputs()}
    REFERENCE.parent.mkdir(parents=True, exist_ok=True)
    REFERENCE.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {REFERENCE.relative_to(ROOT)} (model at {commit[:10]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
