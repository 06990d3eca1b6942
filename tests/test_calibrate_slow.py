"""symbiosis calibrate end to end on two cases: outputs, kill and resume, same seed same ensemble."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from sim.calibrate import engine, report
from sim.calibrate.spec import load_spec
from sim.cli import app

TINY = {
    "name": "tiny",
    "cases": ["A13", "A20"],
    "parameters": [
        {"key": "params.trust.established", "range": [0.1, 0.4]},
        {"key": "params.negotiation.failure_at_zero_trust", "range": [0.1, 0.7]},
        {"key": "params.matching.candidates", "range": [8, 32]},
    ],
    "design": {"kind": "lhs", "samples": 6},
    "waves": 2,
    "seeds": 2,
    "seed": 7,
    "acceptance": {"candidates": 2000},
}
KEYS = [p["key"] for p in TINY["parameters"]]


def _spec(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY), encoding="utf-8")
    return path


class Killed(Exception):
    pass


def _outputs(out: Path) -> dict[str, object]:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for volatile in ("seconds", "case_runs_this_invocation"):
        summary.pop(volatile)
    return {
        "ensemble": pd.read_parquet(out / "ensemble.parquet"),
        "points": pd.read_parquet(out / "points.parquet"),
        "implausibility": pd.read_parquet(out / "implausibility.parquet"),
        "summary": summary,
    }


@pytest.mark.slow
def test_a_tiny_calibration_writes_the_ensemble_plots_and_summary(tmp_path: Path) -> None:
    docs = tmp_path / "validation.md"
    docs.write_text(f"# V\n\n## Calibration\n\n{report.DOCS_START}\nOLD\n{report.DOCS_END}\n\nAfter.\n", encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["calibrate", str(_spec(tmp_path)), "--out", str(out), "--workers", "1", "--docs", str(docs)])
    assert res.exit_code == 0, res.output
    for name in ("manifest.json", "wave_1/points.parquet", "wave_2/points.parquet", "wave_2/screen.json", "summary.md"):
        assert (out / name).is_file(), name
    for name in ("marginals.png", "pairs.png", "ruled_out.png"):
        assert (out / name).stat().st_size > 5000, name
    assert len(list((out / "wave_1" / "obs").glob("batch_*.parquet"))) == 7  # the defaults and 6 design points
    ens = pd.read_parquet(out / "ensemble.parquet")
    assert list(ens.columns) == ["member", *KEYS]
    assert ens["member"].tolist() == list(range(len(ens))) and all(ens[k].dtype == np.float64 for k in KEYS)
    pts = pd.read_parquet(out / "points.parquet")
    assert len(ens) == int(pts["accepted"].sum()) and pts.loc[0, "default"] and pts.loc[0, "params.trust.established"] == 0.25
    obs = pd.read_parquet(out / "wave_1" / "obs" / "batch_00000.parquet")
    assert list(obs.columns) == engine.OBS_COLUMNS and set(obs["seed"]) == {1, 2} and set(obs["case"]) == {"A13", "A20"}
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert s["ensemble_size"] == len(ens) and s["points"] == len(pts) and s["prior_kept"]["wave1_design_points"] == 6
    assert [p["key"] for p in s["parameters"]] == KEYS and 0 <= s["prior_kept"]["emulator_share"] <= 1
    assert s["defaults"]["point"] == 0 and isinstance(s["defaults"]["accepted"], bool)
    assert ("why_not_narrowed" in s) != bool(s["narrowed"]) or s["ensemble_size"] == 0
    imp = pd.read_parquet(out / "implausibility.parquet")
    assert set(imp["point"]) == set(pts["point"]) and imp["fact"].nunique() == s["facts"]
    text = docs.read_text(encoding="utf-8")
    assert "OLD" not in text and "After." in text and "**Accepted ensemble**" in text and s["commit"][:12] in text


@pytest.mark.slow
def test_killed_and_resumed_gives_the_output_of_an_uninterrupted_run(tmp_path: Path) -> None:
    loaded = load_spec(_spec(tmp_path))
    whole = tmp_path / "whole"
    report.write(engine.calibrate(loaded, whole, executor="inprocess"))

    cut = tmp_path / "cut"
    seen: list[tuple[int, int]] = []

    def kill(wave: int, point: int) -> None:
        seen.append((wave, point))
        if len(seen) == 3:
            raise Killed

    with pytest.raises(Killed):
        engine.calibrate(loaded, cut, executor="inprocess", on_batch=kill)
    assert len(list((cut / "wave_1" / "obs").glob("batch_*.parquet"))) == 3 and not (cut / "wave_2").exists()
    (cut / "wave_1" / "obs" / "batch_00099.parquet.tmp").write_bytes(b"half a file")  # what a SIGKILL mid-write leaves
    with pytest.raises(Exception, match="not empty"):
        engine.calibrate(loaded, cut, executor="inprocess")
    res = engine.calibrate(loaded, cut, resume=True, executor="inprocess")
    assert res.runs == (7 - 3) * 2 * 2 + 6 * 2 * 2  # only the unfinished batches ran
    report.write(res)
    a, b = _outputs(whole), _outputs(cut)
    for name in ("ensemble", "points", "implausibility"):
        pd.testing.assert_frame_equal(a[name], b[name])  # type: ignore[arg-type]
    assert a["summary"] == b["summary"]
    assert not list(cut.rglob("*.tmp"))


@pytest.mark.slow
def test_every_executor_gives_the_same_observations(tmp_path: Path) -> None:
    """A point's batch depends only on the point: the process pool and Dask give the in-process result."""
    one = {**TINY, "cases": ["A16"], "waves": 1, "seeds": 1, "design": {"kind": "lhs", "samples": 3}}
    path = tmp_path / "one.yaml"
    path.write_text(yaml.safe_dump(one), encoding="utf-8")
    loaded = load_spec(path)
    ref = engine.calibrate(loaded, tmp_path / "inprocess", executor="inprocess")
    for kind in ("processes", "dask"):
        res = engine.calibrate(loaded, tmp_path / kind, executor=kind, workers=2)
        pd.testing.assert_frame_equal(res.imp, ref.imp)
        for p in range(4):
            a = pd.read_parquet(engine.batch_path(tmp_path / kind, 1, p))
            pd.testing.assert_frame_equal(a, pd.read_parquet(engine.batch_path(tmp_path / "inprocess", 1, p)))
