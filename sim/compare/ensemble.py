"""A calibrated ensemble to re-run a comparison on: read it, check it, run every member.

``symbiosis calibrate`` keeps the parameter sets the case facts do not rule out and writes them to
``DIR/ensemble.parquet``: a ``member`` column and one number column per parameter, named by its
dotted config key. A comparison's answer at the default values is one point of that space; run on
every member, it shows whether the answer holds wherever the facts allow the model to be. Each
member's values are set in every arm after ``--set`` and before the packages' levers (the order of
the sensitivity check), and every member runs the main comparison's seeds, so members and arms
share common random numbers: a difference between members comes from the parameters, not luck.
All members go into one plan on the comparison's executors, so a pool spreads them over workers
and a killed run resumes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from sim import config as cfgmod
from sim.compare.policies import PolicyPackage
from sim.compare.runs import CaseInput, Plan, execute, resolve_cases
from sim.config import ConfigError, ScenarioConfig
from sim.sweep import store

FILE = "ensemble.parquet"
RUNS_FILE = "ensemble_runs.parquet"  # every member's runs in one table, with a ``member`` column
RUNS_DIR = "ensemble"  # the batches, beside the main comparison's
ALLOWED = "a directory written by symbiosis calibrate, holding ensemble.parquet"
COLUMNS = "a 'member' column and one number column per parameter named by its dotted config key, e.g. params.trust.established"


@dataclass(frozen=True)
class Ensemble:
    """The members a comparison runs on, with where they came from."""

    path: Path  # the directory
    members: list[int]  # the member numbers used, in order
    values: list[dict[str, float | int]]  # each used member's parameter values
    keys: list[str]
    total: int  # members in the file
    sha256: str  # of ensemble.parquet
    commit: str | None  # the calibration's commit, when its summary or manifest names one

    @property
    def where(self) -> str:
        return f"--ensemble {self.path}"

    def ranges(self) -> dict[str, tuple[float, float]]:
        """Each parameter's smallest and largest value over the members used."""
        return {k: (min(float(v[k]) for v in self.values), max(float(v[k]) for v in self.values)) for k in self.keys}


def _kind(key: str) -> str | None:
    from sim.sweep.spec import _leaf_annotation, _scalar_kind

    return _scalar_kind(_leaf_annotation(key.split(".")))


def _column_problems(where: str, key: str, column: pd.Series) -> list[str]:
    """A column must name an existing numeric config value that a package does not set."""
    parts = key.split(".")
    bad = cfgmod._walk_schema(ScenarioConfig, parts)
    if bad is not None:
        return [
            f"{where}: column {key!r}: unknown config key {bad!r} (allowed: {cfgmod._allowed_keys(parts, bad)}; see docs/parameters.md)"
        ]
    if parts[0] == "policy" or key in ("seed", "years", "steps"):
        return [f"{where}: column {key!r}: a policy lever or run setting, not a model parameter (allowed: params.* and scenario values)"]
    kind = _kind(key)
    if kind not in ("int", "float"):
        return [
            f"{where}: column {key!r}: not a number in the config (allowed: a dotted key of a numeric value, e.g. params.trust.established)"
        ]
    if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return [f"{where}: column {key!r}: values of type {column.dtype} (allowed: numbers)"]
    out = []
    for member, v in column.items():
        if not math.isfinite(float(v)):
            out.append(f"{where}: column {key!r}, member {member}: value {v} (allowed: a finite number)")
        elif kind == "int" and float(v) != int(v):
            out.append(f"{where}: column {key!r}, member {member}: value {v} is not whole (allowed: a whole number for this key)")
    return out[:5]


def _commit(path: Path) -> str | None:
    """The calibration's commit: summary.json's ``commit``, else manifest.json's ``versions.git_commit``
    (what symbiosis calibrate writes); none when neither names one."""
    for name, get in (
        ("summary.json", lambda d: d.get("commit")),
        ("manifest.json", lambda d: (d.get("versions") or {}).get("git_commit")),
    ):
        try:
            data = json.loads((path / name).read_text(encoding="utf-8"))
            v = get(data)
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(v, str) and v.strip() and v.strip().lower() != "unknown":
            return v.strip()
    return None


def load(path: Path, members: int | None = None) -> Ensemble:
    """Read ``path/ensemble.parquet``; raise ConfigError naming --ensemble, the value and what is allowed."""
    import pyarrow.parquet as pq

    where = f"--ensemble {path}"
    if not path.exists():
        raise ConfigError([f"{where}: no such directory (allowed: {ALLOWED})"])
    if not path.is_dir():
        raise ConfigError([f"{where}: a file, not a directory (allowed: {ALLOWED})"])
    file = path / FILE
    if not file.is_file():
        raise ConfigError([f"{where}: no {FILE} in it (allowed: {ALLOWED})"])
    try:
        df = pq.read_table(file).to_pandas()
    except (OSError, pa.ArrowException) as exc:
        raise ConfigError([f"{where}: {FILE} cannot be read as Parquet: {exc} (allowed: the file symbiosis calibrate writes)"]) from None
    if "member" not in df.columns:
        raise ConfigError([f"{where}: {FILE} has no 'member' column (allowed: {COLUMNS})"])
    keys = [str(c) for c in df.columns if c != "member"]
    if not len(df):
        raise ConfigError(
            [f"{where}: {FILE} holds no members (allowed: at least one parameter set; the calibration's summary says why none was kept)"]
        )
    if not keys:
        raise ConfigError([f"{where}: {FILE} has no parameter columns (allowed: {COLUMNS})"])
    m = df["member"]
    if not pd.api.types.is_integer_dtype(m) or (m < 0).any() or m.duplicated().any():
        raise ConfigError([f"{where}: column 'member' holds {list(m[:5])}... (allowed: whole numbers from 0, each member once)"])
    df = df.sort_values("member").set_index("member")
    problems = [p for k in keys for p in _column_problems(where, k, df[k])]
    if members is not None and not 1 <= members <= len(df):
        problems.append(f"--members {members}: the ensemble in {path} has {len(df)} member(s) (allowed: 1 to {len(df)})")
    if problems:
        raise ConfigError(problems)
    used = df.iloc[: members or len(df)]
    kinds = {k: _kind(k) for k in keys}
    values = [{k: (int(row[k]) if kinds[k] == "int" else float(row[k])) for k in keys} for _, row in used.iterrows()]
    return Ensemble(path, [int(i) for i in used.index], values, keys, len(df), store.sha256_file(file), _commit(path))


def resolve(ens: Ensemble, cases: list[str], years: int | None, overrides: dict[str, Any] | None) -> list[list[CaseInput]]:
    """Every case under every member (``--set`` first, then the member's values); a value the schema
    refuses is reported with the member it belongs to, before any run."""
    out, problems = [], []
    for member, values in zip(ens.members, ens.values, strict=True):
        try:
            out.append(resolve_cases(cases, years, {**(overrides or {}), **values}))
        except ConfigError as exc:
            for p in exc.problems:
                text = f"{ens.where}: member {member}: {p.split(': ', 1)[1] if p.startswith('--cases ') else p}"
                if text not in problems:
                    problems.append(text)
    if len(problems) > 20:
        problems = [*problems[:20], f"{ens.where}: ... and {len(problems) - 20} more problem(s) of the same kind"]
    if problems:
        raise ConfigError(problems)
    return out


def plan(
    ens: Ensemble, cases: list[str], years: int | None, overrides: dict[str, Any] | None, packages: list[PolicyPackage], seeds: list[int]
) -> Plan:
    """One plan of every member's cases (member-major), every package and the comparison's seeds."""
    per_member = resolve(ens, cases, years, overrides)
    return Plan([c for cs in per_member for c in cs], packages, seeds)


def check(ens: Ensemble, p: Plan, out: Path, packages: list[PolicyPackage]) -> None:
    """Before any run: a package to compare, every member's arms valid, and ``out`` not holding another ensemble's runs."""
    if len(packages) < 2:
        raise ConfigError([f"{ens.where}: only the baseline was given (allowed: a baseline and at least one policy package to compare)"])
    p.check()
    manifest = out / RUNS_DIR / "compare.json"
    if manifest.is_file():
        try:
            old = json.loads(manifest.read_text(encoding="utf-8")).get("fingerprint")
        except (OSError, ValueError):
            old = None
        if old != p.fingerprint():
            raise ConfigError(
                [
                    f"--out {out}: holds the runs of another ensemble or comparison in {RUNS_DIR}/ (allowed: a new directory, or the same command to finish it)"
                ]
            )


def run(ens: Ensemble, p: Plan, out: Path, workers: int, on_batch: Callable[[int, int], None] | None = None, done: int = 0) -> pd.DataFrame:
    """Run the plan of :func:`plan`; write ``out/ensemble_runs.parquet`` (with a ``member`` column) and return it.

    ``done`` runs came before (the main comparison), so progress counts on from them."""

    def progress(batch: int, finished: int) -> None:
        if on_batch is not None:
            on_batch(batch, done + finished)

    runs, _ = execute(p, out / RUNS_DIR, workers, progress)
    per = len(p.cases) // len(ens.members)  # cases per member
    runs.insert(0, "member", [ens.members[(pt // len(p.arms)) // per] for pt in runs["point"]])
    store.write_table(pa.Table.from_pandas(runs, preserve_index=False), out / RUNS_FILE)
    return runs


def words(key: str) -> str:
    """A parameter in the schema's own words (its description), for the text before the reproducibility section."""
    from pydantic import BaseModel

    from sim.compare.plain import strip_keys

    current: Any = ScenarioConfig
    description, rest = key, []
    for part in key.split("."):
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields[part]
            description, current = info.description or part.replace("_", " "), info.annotation
        else:
            rest.append(part)
    text = strip_keys(description.strip().rstrip("."))
    text = text[:1].lower() + text[1:]
    return text + (f" ({', '.join(rest).replace('_', ' ')})" if rest else "")


def about(ens: Ensemble, seeds: list[int], runs: int) -> str:
    """Where the ensemble came from and how it was run, in words."""
    n = len(ens.members)
    if n < ens.total:
        used = f"the first of its {ens.total} sets" if n == 1 else f"the first {n} of {ens.total} sets"
    else:
        used = "its one set" if n == 1 else "both sets" if n == 2 else f"all {n} sets"
    made = f", calibrated at commit {ens.commit[:12]}" if ens.commit else ""
    what = f": {'; '.join(words(k) for k in ens.keys)}" if len(ens.keys) <= 8 else " (listed in the reproducibility section)"
    return (
        f"The baseline and every package were run again under each parameter set of the calibrated ensemble in '{ens.path.name}' "
        f"({used}{made}). The sets differ in {len(ens.keys)} parameter{'s' if len(ens.keys) > 1 else ''} of the model{what}. Each set ran on the "
        f"main comparison's seeds {seeds[0]}..{seeds[-1]} in every arm, so sets and packages share the same simulated "
        f"histories: {runs} runs in all. The directory's full path, the file's fingerprint and each parameter's values "
        "are in the reproducibility section."
    )


def inputs(ens: Ensemble, p: Plan, overrides: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """The reproducibility lines: file, fingerprint, members, the parameters' ranges and the runs."""
    rng = "\n".join(f"{k}: {lo:g} to {hi:g}" for k, (lo, hi) in ens.ranges().items())
    both = sorted(set(overrides or {}) & set(ens.keys))
    lines = [("--set values replaced by each member's", ", ".join(both))] if both else []
    lines += [
        ("ensemble (--ensemble)", f"{ens.path.resolve() / FILE} | sha256 {ens.sha256} | calibration commit {ens.commit or 'not recorded'}"),
        ("ensemble members used (--members)", f"{len(ens.members)} of {ens.total}: members {_span(ens.members)}"),
        ("ensemble parameters: smallest and largest value over the members used", rng),
        (
            "ensemble runs",
            f"{p.runs} = {len(ens.members)} members x {len(p.cases) // len(ens.members)} cases x {len(p.arms)} policies x "
            f"{len(p.seeds)} seeds {p.seeds[0]}..{p.seeds[-1]} (the main comparison's); "
            f"{RUNS_FILE} (one row per run, with a member column) and {RUNS_DIR}/runs/batch-*.parquet",
        ),
    ]
    return lines


def _span(members: list[int]) -> str:
    if len(members) > 1 and members == list(range(members[0], members[0] + len(members))):
        return f"{members[0]}..{members[-1]}"
    return ", ".join(map(str, members))
