"""Waves of history matching: design, runs through the sweep executors, resumable storage.

    DIR/manifest.json                      spec, its sha256, versions, git commit
    DIR/wave_K/points.parquet              the wave's points (id, unit-cube coordinates, values), written before its runs
    DIR/wave_K/screen.json                 waves > 1: how many emulator candidates survived, per fact the share it ruled out
    DIR/wave_K/obs/batch_NNNNN.parquet     one point's docking table: point, case, fact, seed, value

A batch is one point: every case of the spec over the same seeds (common random numbers, so that
two points differ by their parameters and not by their luck). Files are written atomically; on
``--resume`` a batch file that holds its full number of rows is kept, any other is computed again,
and a wave's points, once written, are read back rather than drawn again, so a killed and resumed
calibration writes the same output as one that ran through.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.calibrate import implausibility as imp_mod
from sim.calibrate.spec import Loaded
from sim.config import ConfigError

MANIFEST = "manifest.json"
OBS_COLUMNS = ["point", "case", "fact", "seed", "value"]


@dataclass(frozen=True)
class PointTask:
    """One design point: its overrides, the cases (id, file values) and the seeds; picklable."""

    batch: int
    values: tuple[tuple[str, Any], ...]
    cases: tuple[tuple[str, dict[str, Any]], ...]
    seeds: tuple[int, ...]


def run_point(task: PointTask) -> tuple[int, list[tuple[int, str, str, int, float]], int]:
    """Every case at the point's values over the seeds; one value per fact and seed (the docking's)."""
    from sim import config as cfgmod
    from sim.run.docking import observe_facts

    overrides = dict(task.values)
    rows: list[tuple[int, str, str, int, float]] = []
    for case_id, raw in task.cases:
        cfg = cfgmod.build(cfgmod.apply_overrides(raw, overrides))
        for seed in task.seeds:
            rows += [(task.batch, case_id, fact, seed, v) for fact, v in observe_facts(cfg, seed)[1]]
    return task.batch, rows, len(task.cases) * len(task.seeds)


@dataclass
class Result:
    """What a calibration found; :mod:`sim.calibrate.report` turns it into files."""

    loaded: Loaded
    out: Path
    facts: list[imp_mod.Fact]
    points: pd.DataFrame  # every simulated point: point, wave, default, unit:<key>, <key>
    imp: pd.DataFrame  # long: point, fact, n, estimate, implausibility
    structural: list[str]
    accepted: dict[int, bool]
    screens: dict[int, dict[str, Any]]
    final_screen: dict[str, Any]
    stopped: str | None
    seconds: float
    commit: str
    runs: int = 0
    files: list[Path] = field(default_factory=list)


def _wave_dir(out: Path, wave: int) -> Path:
    return out / f"wave_{wave}"


def batch_path(out: Path, wave: int, point: int) -> Path:
    return _wave_dir(out, wave) / "obs" / f"batch_{point:05d}.parquet"


def open_dir(loaded: Loaded, out: Path, resume: bool) -> dict[str, Any]:
    """Create the directory and its manifest, or check that --resume continues the same calibration."""
    from sim.sweep.store import versions, write_json

    sha = loaded.sha256()
    if out.exists() and not out.is_dir():
        raise ConfigError([f"--out {out}: not a directory (allowed: a new or empty directory)"])
    if out.is_dir() and any(out.iterdir()):
        if not resume:
            raise ConfigError([f"--out {out}: not empty (allowed: a new or empty directory, or --resume to finish the calibration there)"])
        try:
            manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError([f"--out {out}: no readable {MANIFEST} ({exc}) (allowed: the directory of an earlier calibration)"]) from None
        if not isinstance(manifest, dict) or manifest.get("spec_sha256") != sha:
            raise ConfigError(
                [f"--resume: {out} holds a calibration of another spec or case library (allowed: the same spec and cases, or a new --out)"]
            )
        for tmp in out.rglob("*.tmp"):  # never complete: a killed run's half-written file
            tmp.unlink(missing_ok=True)
        return manifest
    out.mkdir(parents=True, exist_ok=True)
    manifest = {
        "spec": loaded.spec.model_dump(mode="json"),
        "spec_path": loaded.source,
        "spec_sha256": sha,
        "parameters": [p.__dict__ for p in loaded.parameters],
        "cases": [c.id for c in loaded.cases],
        "versions": versions(),
    }
    write_json(manifest, out / MANIFEST)
    return manifest


def design(kind: str, d: int, n: int, seed: int, wave: int, stream: int = 0) -> np.ndarray:
    """``n`` points of the unit cube from scipy's QMC, scrambled and seeded from (seed, wave, stream)."""
    from scipy.stats import qmc

    rng = np.random.default_rng([seed, wave, stream])
    if kind == "sobol":
        return qmc.Sobol(d, scramble=True, seed=rng).random_base2(int(math.log2(n)))
    return qmc.LatinHypercube(d, scramble=True, seed=rng).random(n)


def points_frame(loaded: Loaded, wave: int, first: int, u: np.ndarray, default: bool = False) -> pd.DataFrame:
    """Rows of points: id, wave, whether it is the defaults, unit coordinates and parameter values."""
    cols: dict[str, Any] = {"point": np.arange(first, first + len(u), dtype=np.int64), "wave": wave, "default": False}
    for j, p in enumerate(loaded.parameters):
        cols[f"unit:{p.key}"] = u[:, j].astype(float)
    for j, p in enumerate(loaded.parameters):
        cols[p.key] = [float(p.value(x)) for x in u[:, j]]
    df = pd.DataFrame(cols)
    if default:
        df.loc[0, "default"] = True
        for p in loaded.parameters:
            df.loc[0, p.key] = p.default
    return df


def units(loaded: Loaded, points: pd.DataFrame) -> pd.DataFrame:
    return points.set_index("point")[[f"unit:{p.key}" for p in loaded.parameters]]


def plan(
    loaded: Loaded, out: Path, wave: int, first: int, earlier: pd.DataFrame | None, est: pd.DataFrame | None, exclude: list[str]
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The wave's points: read back if written, else drawn (wave 1) or screened by the emulators."""
    from sim.sweep.store import write_json, write_table

    d = _wave_dir(out, wave)
    path, screen_path = d / "points.parquet", d / "screen.json"
    if path.is_file():
        scr = json.loads(screen_path.read_text(encoding="utf-8")) if screen_path.is_file() else {}
        return pd.read_parquet(path), scr
    spec, k = loaded.spec, len(loaded.parameters)
    scr: dict[str, Any] = {}
    if wave == 1:
        u0 = np.array([[p.unit(p.default) for p in loaded.parameters]])
        pts = pd.concat(
            [
                points_frame(loaded, 1, first, u0, default=True),
                points_frame(loaded, 1, first + 1, design(spec.design.kind, k, spec.design.samples, spec.seed, 1)),
            ],
            ignore_index=True,
        )
    else:
        assert earlier is not None and est is not None
        scr = emulator_screen(loaded, earlier, est, exclude, wave)
        alive = np.asarray(scr.pop("alive_idx"), dtype=int)
        cand = scr.pop("candidates_u")
        if len(alive) > spec.design.samples:
            pick = np.random.default_rng([spec.seed, wave, 2]).choice(len(alive), spec.design.samples, replace=False)
            alive = alive[np.sort(pick)]
        pts = points_frame(loaded, wave, first, cand[alive])
    d.mkdir(parents=True, exist_ok=True)
    write_json(scr, screen_path)
    write_table(pa.Table.from_pandas(pts, preserve_index=False), path)
    return pts, scr


def emulator_screen(loaded: Loaded, earlier: pd.DataFrame, est: pd.DataFrame, exclude: list[str], wave: int) -> dict[str, Any]:
    """Fit one GP per informative fact on every earlier point and screen fresh candidates of the box."""
    acc = loaded.spec.acceptance
    facts = imp_mod.facts_of(loaded.cases, acc.discrepancy_share, acc.discrepancy_relative)
    cand = design("lhs", len(loaded.parameters), acc.candidates, loaded.spec.seed, wave, stream=1)
    alive, shares = imp_mod.screen(facts, est, units(loaded, earlier), cand, acc.cutoff, exclude, loaded.spec.seed, acc.misses)
    idx = np.flatnonzero(alive)
    return {
        "wave": wave,
        "candidates": len(cand),
        "survivors": len(idx),
        "share": float(len(idx) / len(cand)),
        "ruled_out_share": {k: v for k, v in sorted(shares.items(), key=lambda kv: -kv[1]) if v > 0},
        "alive_idx": idx.tolist(),
        "candidates_u": cand,
    }


def expected_rows(loaded: Loaded) -> int:
    return loaded.spec.seeds * sum(len(c.cfg.facts) for c in loaded.cases)


def run_wave(
    loaded: Loaded,
    out: Path,
    wave: int,
    pts: pd.DataFrame,
    executor: str,
    workers: int | None,
    scheduler: str | None,
    on_batch: Callable[[int, int], None] | None,
    stream: TextIO | None,
    log_every: float,
) -> int:
    """Run the wave's points not yet on disk; return the case-runs done now."""
    from sim.sweep.progress import Progress
    from sim.sweep.store import write_table

    (_wave_dir(out, wave) / "obs").mkdir(parents=True, exist_ok=True)
    want = expected_rows(loaded)
    done = set()
    for p in pts["point"]:
        path = batch_path(out, wave, int(p))
        if path.is_file():
            try:
                ok = pq.read_metadata(path).num_rows == want
            except Exception:  # pyarrow raises ArrowInvalid, OSError, ... for a damaged file
                ok = False
            if ok:
                done.add(int(p))
            else:
                path.unlink()
    keys = [p.key for p in loaded.parameters]
    cases = tuple((c.id, c.raw) for c in loaded.cases)
    seeds = tuple(range(1, loaded.spec.seeds + 1))
    integer = {p.key: p.integer for p in loaded.parameters}

    def tasks() -> Iterator[PointTask]:
        for row in pts.itertuples(index=False):
            point = int(row.point)
            if point in done:
                continue
            vals = dict(zip(pts.columns, row, strict=True))
            values = tuple((k, round(vals[k]) if integer[k] else float(vals[k])) for k in keys)
            yield PointTask(point, values, cases, seeds)

    per_point = len(cases) * len(seeds)
    prog = Progress(
        f"{loaded.spec.name} wave {wave} of {loaded.spec.waves}",
        len(pts) * per_point,
        len(done) * per_point,
        stream=stream,
        every=log_every,
    )
    from sim.sweep import executors
    from sim.sweep.engine import choose_executor

    results = executors.start(choose_executor(executor, workers, scheduler), tasks(), run_point, workers, scheduler)
    runs = 0
    try:
        for point, rows, n in results:
            df = pd.DataFrame(rows, columns=OBS_COLUMNS).astype({"point": "int64", "seed": "int64", "value": "float64"})
            write_table(pa.Table.from_pandas(df, preserve_index=False), batch_path(out, wave, point))
            runs += n
            prog.update(n)
            if on_batch is not None:
                on_batch(wave, point)
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()
        prog.close()
    return runs


def read_obs(out: Path, wave: int, pts: pd.DataFrame) -> pd.DataFrame:
    parts = [pd.read_parquet(batch_path(out, wave, int(p))) for p in sorted(pts["point"])]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=OBS_COLUMNS)


def calibrate(
    loaded: Loaded,
    out: Path,
    resume: bool = False,
    executor: str = "auto",
    workers: int | None = None,
    scheduler: str | None = None,
    on_batch: Callable[[int, int], None] | None = None,
    stream: TextIO | None = None,
    log_every: float = 10.0,
) -> Result:
    """Run the waves (or finish them with ``resume``) and judge every simulated point."""
    started = time.perf_counter()
    manifest = open_dir(loaded, out, resume)
    acc = loaded.spec.acceptance
    facts = imp_mod.facts_of(loaded.cases, acc.discrepancy_share, acc.discrepancy_relative)
    pts_all: list[pd.DataFrame] = []
    obs_all: list[pd.DataFrame] = []
    screens: dict[int, dict[str, Any]] = {}
    structural: list[str] = []
    stopped = None
    runs = 0
    est = None
    for wave in range(1, loaded.spec.waves + 1):
        earlier = pd.concat(pts_all, ignore_index=True) if pts_all else None
        first = 0 if earlier is None else int(earlier["point"].max()) + 1
        pts, scr = plan(loaded, out, wave, first, earlier, est, structural)
        if wave > 1:
            screens[wave] = scr
        if pts.empty:
            stopped = (
                f"wave {wave}: no candidate of the {scr.get('candidates', 0):,} the emulators screened passes the rule; the waves stop here"
            )
            break
        runs += run_wave(loaded, out, wave, pts, executor, workers, scheduler, on_batch, stream, log_every)
        pts_all.append(pts)
        obs_all.append(read_obs(out, wave, pts))
        est = imp_mod.estimates(pd.concat(obs_all, ignore_index=True))
        if wave == 1:
            structural = imp_mod.structural(facts, imp_mod.table(facts, est), pts["point"].tolist(), acc.cutoff)
    points = pd.concat(pts_all, ignore_index=True)
    assert est is not None
    imp = imp_mod.table(facts, est)
    accepted = imp_mod.accepted(imp, points["point"].tolist(), structural, acc.cutoff, acc.misses)
    final = emulator_screen(loaded, points, est, structural, loaded.spec.waves + 1)
    final.pop("alive_idx")
    final.pop("candidates_u")
    return Result(
        loaded, out, facts, points, imp, structural, accepted, screens, final, stopped,
        time.perf_counter() - started, str(manifest.get("versions", {}).get("git_commit", "unknown")), runs,
    )  # fmt: skip
