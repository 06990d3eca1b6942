"""Paired runs: every policy arm of every case on the same seeds, on the sweep's executors.

Each (case, arm) is cut into batches of :class:`sim.sweep.worker.BatchTask`, whose varied keys are
all the policy levers with the arm's values. The sweep's :func:`~sim.sweep.worker.run_batch`
computes them (in this process, in a process pool, or on Dask) and the sweep's atomic store
writes each batch, so ``compare`` has no runner of its own and the numbers are those any other
tool gets for the same config and seed. Replication ``r`` uses seed ``first_seed + r`` in every
arm: common random numbers, so arm differences are paired by seed, and any single run can be
repeated with ``symbiosis run CASE --seed S --set policy.LEVER=VALUE``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from sim import config as cfgmod
from sim.compare.policies import LEVERS, PolicyPackage, arm_policy
from sim.config import ConfigError
from sim.sweep import executors, store
from sim.sweep.worker import BatchTask

TS_COLUMNS = ["active_exchanges", "public_funding_sek", "co2_avoided_t"]
TS_EVERY = 3  # months between kept time-series rows: enough for a smooth mean path, small on disk
BATCH_RUNS = 10  # runs per batch: small enough to spread 30 replications over a few workers
MANIFEST_FORMAT = 1


@dataclass(frozen=True)
class CaseInput:
    """A scenario to compare on: a library case, the built-in example, a file or a synthetic region."""

    id: str
    name: str
    source: str
    raw: dict[str, Any]
    years: int
    steps: int
    overrides: dict[str, Any] = field(default_factory=dict)  # ``--set`` values, already in ``raw``

    def sha256(self) -> str:
        """Hash of the resolved scenario (defaults filled in), as run."""
        cfg = cfgmod.build(self.raw)
        return hashlib.sha256(json.dumps(cfgmod.resolved(cfg), sort_keys=True).encode()).hexdigest()


def _library() -> dict[str, Path]:
    """Case id, file stem and place part of the stem (``A13``, ``A13_bjuv``, ``bjuv``) to file."""
    from sim.scenarios.cases import case_files

    out: dict[str, Path] = {}
    for path in case_files():
        m = re.match(r"(A\d+)_?(.*)", path.stem)
        keys = [path.stem.lower()]
        if m:
            keys += [m.group(1).lower()] + ([m.group(2).lower()] if m.group(2) else [])
        for k in keys:
            out.setdefault(k, path)
    return out


def resolve_case(spec: str, years: int | None, overrides: dict[str, Any] | None = None) -> CaseInput:
    """Turn one ``--cases`` item into a scenario, with ``overrides`` (``--set``) applied for every arm;
    raise ConfigError naming what is allowed."""
    from sim.scenarios import synthetic

    text = spec.strip()
    if text.lower().startswith("synthetic:"):
        parts = text.split(":")
        preset = parts[1] if len(parts) > 1 else ""
        if preset not in synthetic.PRESETS or len(parts) > 3 or (len(parts) == 3 and not parts[2].isdigit()):
            raise ConfigError(
                [
                    f"--cases {text}: unknown synthetic region (allowed: synthetic:PRESET or synthetic:PRESET:SEED, PRESET one of {', '.join(synthetic.PRESETS)})"
                ]
            )
        seed = int(parts[2]) if len(parts) == 3 else 1
        raw = synthetic.preset(preset, seed=seed)
        source = f"sim.scenarios.synthetic.preset({preset!r}, seed={seed})"
        cid = f"synthetic-{preset}-{seed}"
    elif text.lower() == "example":
        raw, source, cid = cfgmod.read_yaml(cfgmod.EXAMPLE), str(cfgmod.EXAMPLE.relative_to(cfgmod.ROOT)), "example"
    else:
        path = Path(text)
        if not (path.suffix in (".yaml", ".yml") and path.is_file()):
            lib = _library()
            found = lib.get(text.lower())
            if found is None:
                ids = sorted({p.stem.split("_")[0] for p in lib.values()}, key=lambda s: int(s[1:]) if s[1:].isdigit() else 0)
                raise ConfigError(
                    [
                        f"--cases {text}: unknown case (allowed: a case id {', '.join(ids)}, a file stem such as A13_bjuv, "
                        "example, synthetic:PRESET[:SEED], or a path to a scenario YAML)"
                    ]
                )
            path = found
        raw = cfgmod.read_yaml(path)
        try:
            source = str(path.resolve().relative_to(cfgmod.ROOT))
        except ValueError:
            source = str(path)
        cid = str(raw.get("case") or path.stem)
    if overrides:
        raw = cfgmod.apply_overrides(raw, overrides)  # its problems already name the --set key
    try:
        cfg = cfgmod.build(raw)
    except ConfigError as exc:
        raise ConfigError([f"--cases {text}: {p}" for p in exc.problems]) from None
    horizon = cfg.years if years is None else years
    raw = copy.deepcopy(raw)
    if horizon > cfg.years:  # longer than the file: extend it; shorter: stop early (events stay valid)
        raw["years"] = horizon
    return CaseInput(cid, cfg.name, source, raw, horizon, horizon * 12, dict(overrides or {}))


def resolve_cases(specs: list[str], years: int | None, overrides: dict[str, Any] | None = None) -> list[CaseInput]:
    """Every case, with every problem of every item reported at once (a bad ``--set`` once, not per case)."""
    out, problems = [], []
    for s in specs:
        try:
            out.append(resolve_case(s, years, overrides))
        except ConfigError as exc:
            problems += [p for p in exc.problems if p not in problems]
    ids = [c.id for c in out]
    problems += [f"--cases: {i!r} given twice (allowed: each case once)" for i in sorted({i for i in ids if ids.count(i) > 1})]
    if problems:
        raise ConfigError(problems)
    return out


def _kind(lever: str) -> str:
    ann = cfgmod.Policy.model_fields[lever].annotation
    return {bool: "bool", int: "int", float: "float"}.get(typing.cast(type, ann), "float")


LEVER_KEYS: list[tuple[str, str, str]] = [(lever, f"policy.{lever}", _kind(lever)) for lever in LEVERS]


@dataclass(frozen=True)
class Plan:
    """What a comparison runs: cases x arms x seeds, cut into batches."""

    cases: list[CaseInput]
    arms: list[PolicyPackage]
    seeds: list[int]
    batch_runs: int = BATCH_RUNS

    @property
    def runs(self) -> int:
        return len(self.cases) * len(self.arms) * len(self.seeds)

    def blocks(self) -> list[tuple[int, int, int, int]]:
        """(batch, case index, arm index, first replication) of every batch, in a fixed order."""
        per = math.ceil(len(self.seeds) / self.batch_runs)
        out = []
        for ci in range(len(self.cases)):
            for ai in range(len(self.arms)):
                for k in range(per):
                    out.append((len(out), ci, ai, k * self.batch_runs))
        return out

    def arm_levers(self, ci: int, ai: int) -> dict[str, Any]:
        cfg = cfgmod.build(self.cases[ci].raw)
        return arm_policy(cfg.policy, self.arms[ai])

    def check(self) -> None:
        """Build every arm's scenario once before any run, so a bad combination fails early."""
        problems = []
        for ci, case in enumerate(self.cases):
            for ai, arm in enumerate(self.arms):
                levers = self.arm_levers(ci, ai)
                try:
                    cfgmod.build(cfgmod.apply_overrides(case.raw, {f"policy.{k}": v for k, v in levers.items()}))
                except ConfigError as exc:
                    problems += [f"{case.id} x {arm.name}: {p}" for p in exc.problems]
        if problems:
            raise ConfigError(problems)

    def tasks(self, skip: set[int] | None = None) -> Iterator[BatchTask]:
        skip = skip or set()
        n = len(self.seeds)
        for batch, ci, ai, r0 in self.blocks():
            if batch in skip:
                continue
            reps = list(range(r0, min(n, r0 + self.batch_runs)))
            levers = self.arm_levers(ci, ai)
            values = tuple(levers[name] for name, _, _ in LEVER_KEYS)
            yield BatchTask(
                batch=batch,
                base_raw=self.cases[ci].raw,
                keys=LEVER_KEYS,
                run_ids=[(ci * len(self.arms) + ai) * n + r for r in reps],
                points=[ci * len(self.arms) + ai] * len(reps),
                replications=reps,
                seeds=[self.seeds[r] for r in reps],
                values=[values] * len(reps),
                steps=self.cases[ci].steps,
                ts_every=TS_EVERY,
                ts_columns=TS_COLUMNS,
            )

    def fingerprint(self) -> str:
        """Hash of everything that determines the runs, so a directory is resumed only by the same comparison."""
        data = {
            "format": MANIFEST_FORMAT,
            "cases": [(c.id, c.sha256(), c.steps) for c in self.cases],
            "arms": [(a.name, a.levers) for a in self.arms],
            "seeds": self.seeds,
            "batch_runs": self.batch_runs,
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _results(plan: Plan, workers: int, skip: set[int]) -> Iterator[tuple[int, pa.Table, pa.Table | None]]:
    return executors.start("inprocess" if workers <= 1 else "processes", plan.tasks(skip), workers=workers)


def execute(
    plan: Plan, out: Path, workers: int = 1, on_batch: Callable[[int, int], None] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compute (or finish) every batch into ``out/runs`` and ``out/timeseries``; return both tables.

    A directory holding the same comparison (same fingerprint) is resumed: its complete batches
    are kept. A directory holding a different one is refused rather than mixed or overwritten.
    """
    fp = plan.fingerprint()
    mpath = out / "compare.json"
    if mpath.is_file():
        old = json.loads(mpath.read_text(encoding="utf-8")).get("fingerprint")
        if old != fp:
            raise ConfigError(
                [
                    f"--out {out}: holds the runs of a different comparison (allowed: a new or empty directory, or the same command to finish it)"
                ]
            )
    try:
        (out / store.RUNS).mkdir(parents=True, exist_ok=True)
        (out / store.TIMESERIES).mkdir(exist_ok=True)
        points = [
            {"point": ci * len(plan.arms) + ai, "case": c.id, "arm": a.name}
            for ci, c in enumerate(plan.cases)
            for ai, a in enumerate(plan.arms)
        ]
        meta = {"fingerprint": fp, "runs": plan.runs, "batches": len(plan.blocks()), "seeds": plan.seeds, "points": points}
        meta["run_id"] = "point * replications + replication; seed = seeds[replication] in every point"
        store.write_json(meta, mpath)
    except OSError as exc:
        raise ConfigError([f"--out {out}: cannot write: {exc.strerror} (allowed: a writable directory)"]) from None
    store.remove_partials(out)
    done = store.done_batches(out)
    finished = sum(pq_rows(out / store.RUNS / store.batch_name(b)) for b in done)
    results = _results(plan, workers, done)
    try:
        for batch, table, ts_table in results:
            if ts_table is not None:
                store.write_table(ts_table, out / store.TIMESERIES / store.batch_name(batch))
            store.write_table(table, out / store.RUNS / store.batch_name(batch))
            finished += table.num_rows
            if on_batch is not None:
                on_batch(batch, finished)
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()
    return collect(plan, out)


def pq_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


def collect(plan: Plan, out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the batches back with case and arm names; raise if any run failed."""
    import pyarrow.parquet as pq

    blocks = plan.blocks()
    runs = pa.concat_tables(pq.read_table(out / store.RUNS / store.batch_name(b)) for b, *_ in blocks).to_pandas()
    ts = pa.concat_tables(pq.read_table(out / store.TIMESERIES / store.batch_name(b)) for b, *_ in blocks).to_pandas()
    failed = runs[runs["error"].notna()]
    if len(failed):
        first = failed.iloc[0]
        raise RuntimeError(f"{len(failed)} run(s) failed; first (run {first['run_id']}, seed {first['seed']}): {first['error']}")
    n_arms = len(plan.arms)
    runs["case"] = [plan.cases[p // n_arms].id for p in runs["point"]]
    runs["arm"] = [plan.arms[p % n_arms].name for p in runs["point"]]
    point_of_run = dict(zip(runs["run_id"], runs["point"], strict=True))
    ts["case"] = [plan.cases[point_of_run[r] // n_arms].id for r in ts["run_id"]]
    ts["arm"] = [plan.arms[point_of_run[r] % n_arms].name for r in ts["run_id"]]
    runs = runs.sort_values("run_id").reset_index(drop=True)
    return runs, ts.sort_values(["run_id", "step"]).reset_index(drop=True)
