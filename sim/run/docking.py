"""Case docking: every case of the library run at its file's values over many seeds, each fact of the
report measured and judged (``symbiosis check-cases``).

The runs go through the sweep's executors (in this process, or its local process pool), a task being
a few seeds of one case; a task returns only what the facts and the figure need (one value per fact
and seed, the monthly operating exchanges), so memory stays small however many cases there are.
The table is stamped with the git commit it came from.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import config as cfgmod
from sim.config.facts import RANGED
from sim.run import facts as facts_eval
from sim.run.runner import RunResult
from sim.run.runner import run as run_model
from sim.scenarios.cases import CASES_DIR, case_files

TABLE_COLUMNS = ["case", "fact", "says", "source", "observe", "window", "expected", "measured", "low", "high", "seeds", "holds"]


@dataclass(frozen=True)
class CaseTask:
    """A few seeds of one case, picklable for the process pool."""

    batch: int
    case: str
    raw: dict[str, Any]
    seeds: tuple[int, ...]


@dataclass
class Case:
    id: str
    path: Path
    raw: dict[str, Any]
    cfg: cfgmod.ScenarioConfig


@dataclass
class Docking:
    """What a docking run found: the table, the seeds' values, each case's exchanges over time."""

    cases: list[Case]
    table: pd.DataFrame
    observations: pd.DataFrame
    series: dict[str, np.ndarray]  # case -> seeds x months of active_exchanges
    seeds: int
    seconds: float
    commit: str
    files: list[Path] = field(default_factory=list)


def observe_facts(cfg: cfgmod.ScenarioConfig, seed: int) -> tuple[RunResult, list[tuple[str, float]]]:
    """One run of a case and each of its facts' value in it (fact id, value): what docking and
    calibration both judge."""
    res = run_model(cfg, seed)
    return res, [(fact.id, facts_eval.observe(cfg, fact, res.timeseries, res.events, res.exchanges)) for fact in cfg.facts]


def run_case_batch(task: CaseTask) -> tuple[int, list[tuple[str, str, int, float]], tuple[str, list[int], np.ndarray]]:
    """Run the task's seeds of its case; one value per fact and seed, and the operating exchanges by month."""
    cfg = cfgmod.build(task.raw)
    rows: list[tuple[str, str, int, float]] = []
    series = []
    for seed in task.seeds:
        res, values = observe_facts(cfg, seed)
        rows += [(task.case, fact, seed, v) for fact, v in values]
        series.append(res.timeseries["active_exchanges"].to_numpy(dtype=float))
    return task.batch, rows, (task.case, list(task.seeds), np.vstack(series))


def load_cases(ids: list[str] | None = None, directory: Path = CASES_DIR) -> list[Case]:
    """The library's cases (all, or those whose id is in ``ids``), validated; ConfigError names every problem."""
    cases, problems = [], []
    paths = case_files(directory)
    if ids is not None:  # a library file's name starts with its case id (tests/test_cases.py): build only those asked for
        known = [p.stem.split("_")[0] for p in paths]
        problems += [f"--cases {i}: no such case (allowed: {', '.join(known)})" for i in ids if i not in known]
        paths = [p for p, k in zip(paths, known, strict=True) if k in ids]
    for path in paths:
        try:
            raw = cfgmod.read_yaml(path)
            cfg = cfgmod.build(raw)
        except cfgmod.ConfigError as exc:
            problems += [f"{path.name}: {p}" for p in exc.problems]
            continue
        cases.append(Case(cfg.case or path.stem, path, raw, cfg))
    if problems:
        raise cfgmod.ConfigError(problems)
    return cases


def tasks(cases: list[Case], seeds: list[int], per_task: int) -> Iterator[CaseTask]:
    """The costliest cases first (months times firms), so a long case does not finish last on one core."""
    order = sorted(cases, key=lambda c: -c.cfg.steps * max(1, len(c.cfg.firms)))
    batch = 0
    for case in order:
        for i in range(0, len(seeds), per_task):
            yield CaseTask(batch, case.id, case.raw, tuple(seeds[i : i + per_task]))
            batch += 1


def dock(ids: list[str] | None = None, n_seeds: int = 30, workers: int = 1, directory: Path = CASES_DIR, per_task: int = 5) -> Docking:
    """Run every case (or ``ids``) over seeds 1..n_seeds and judge each fact."""
    from sim.sweep import executors
    from sim.sweep.store import versions

    cases = load_cases(ids, directory)
    seeds = list(range(1, n_seeds + 1))
    started = time.perf_counter()
    todo = tasks(cases, seeds, per_task)
    results = executors.start("inprocess" if workers <= 1 else "processes", todo, run_case_batch, workers)
    rows: list[tuple[str, str, int, float]] = []
    parts: dict[str, list[tuple[list[int], np.ndarray]]] = {}
    for _, batch_rows, (case, batch_seeds, arr) in results:
        rows += batch_rows
        parts.setdefault(case, []).append((batch_seeds, arr))
    series = {}
    for case, chunks in parts.items():
        chunks.sort(key=lambda c: c[0][0])
        series[case] = np.vstack([arr for _, arr in chunks])
    obs = pd.DataFrame(rows, columns=["case", "fact", "seed", "value"]).sort_values(["case", "fact", "seed"], kind="stable")
    table = judge_all(cases, obs)
    return Docking(cases, table, obs.reset_index(drop=True), series, n_seeds, time.perf_counter() - started, versions()["git_commit"])


def judge_all(cases: list[Case], obs: pd.DataFrame) -> pd.DataFrame:
    """One row per fact, in case and file order."""
    by = {key: g["value"].to_numpy() for key, g in obs.groupby(["case", "fact"], sort=False)}
    out = []
    for case in cases:
        for fact in case.cfg.facts:
            v = facts_eval.judge(fact, by.get((case.id, fact.id), np.array([])))
            out.append(
                {
                    "case": case.id,
                    "fact": fact.id,
                    "says": fact.says,
                    "source": fact.source,
                    "observe": fact.observe,
                    "window": f"{fact.window[0]}-{fact.window[1]}" if fact.window[0] != fact.window[1] else str(fact.window[0]),
                    "expected": facts_eval.expected_text(fact),
                    "measured": v.measured,
                    "low": v.low,
                    "high": v.high,
                    "seeds": v.seeds,
                    "holds": v.holds,
                    "measured_text": v.text(fact.observe in RANGED),
                }
            )
    return pd.DataFrame(out, columns=[*TABLE_COLUMNS, "measured_text"])


def totals(table: pd.DataFrame, cases: list[Case]) -> pd.DataFrame:
    """Facts and how many hold, per case (every case, one without facts too) and overall."""
    rows = []
    for case in cases:
        t = table[table["case"] == case.id]
        rows.append({"case": case.id, "facts": len(t), "hold": int(t["holds"].sum())})
    rows.append({"case": "all", "facts": len(table), "hold": int(table["holds"].sum())})
    return pd.DataFrame(rows)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(d: Docking) -> str:
    """The table and its totals as Markdown, stamped with the commit, the seeds and the command."""
    tot = totals(d.table, d.cases)
    overall = tot.iloc[-1]
    lines = [
        f"Model code at commit `{d.commit[:12]}`; {d.seeds} seeds a case (seeds 1-{d.seeds}), every case at its file's values; "
        f"`symbiosis check-cases --seeds {d.seeds}`. {int(overall['hold'])} of {int(overall['facts'])} facts hold.",
        "",
        "| case | fact | the report says | source | expected | window | measured (95 % interval) | holds |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in d.table.itertuples():
        lines.append(
            f"| {r.case} | `{r.fact}` | {_cell(r.says)} | {_cell(r.source)} | {r.expected} | {r.window} | {r.measured_text} | "
            f"{'yes' if r.holds else '**no**'} |"
        )
    lines += ["", "| case | facts | hold |", "|---|---|---|"]
    lines += [f"| {r.case} | {r.facts} | {r.hold} |" for r in tot.itertuples()]
    return "\n".join(lines) + "\n"


def write(d: Docking, out: Path, figure: bool = True) -> list[Path]:
    """docking.parquet/.csv/.md, the seeds' values (observations.parquet) and the figure (docking_exchanges.png)."""
    from sim.run.runner import write_parquet

    out.mkdir(parents=True, exist_ok=True)
    table = d.table.assign(commit=d.commit, n_seeds=d.seeds)
    paths = [out / "docking.parquet", out / "docking.csv", out / "docking.md", out / "observations.parquet"]
    write_parquet(table, paths[0])
    table.to_csv(paths[1], index=False)
    paths[2].write_text(markdown(d), encoding="utf-8")
    write_parquet(d.observations, paths[3])
    if figure:
        from sim.run.docking_figure import exchanges_figure

        paths.append(out / "docking_exchanges.png")
        exchanges_figure(d, paths[-1])
    d.files = paths
    return paths


def console(d: Docking) -> str:
    """A compact plain-text table for the terminal: case, fact, expected, measured, holds; then the totals."""
    t = d.table
    head = ("case", "fact", "expected", "window", "measured (95 %)", "holds")
    rows = [(r.case, r.fact, r.expected, r.window, r.measured_text, "yes" if r.holds else "NO") for r in t.itertuples()]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(head)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*head), fmt.format(*("-" * w for w in widths))] + [fmt.format(*row) for row in rows]
    tot = totals(t, d.cases)
    lines.append("")
    lines.append("  ".join(f"{r.case} {r.hold}/{r.facts}" for r in tot.itertuples()))
    return "\n".join(lines)


DOCS_START, DOCS_END = "<!-- check-cases:start -->", "<!-- check-cases:end -->"


def replace_block(path: Path, start: str, end: str, body: str) -> bool:
    """Replace what stands between the ``start`` and ``end`` markers of a generated docs block; False
    if either marker is missing (the file is then left as it was)."""
    text = path.read_text(encoding="utf-8")
    if start not in text or end not in text:
        return False
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{start}\n{body}{end}{tail}", encoding="utf-8")
    return True


def update_docs(d: Docking, path: Path) -> bool:
    """Replace the generated part of docs/validation.md's case docking section; False if its markers are missing."""
    return replace_block(path, DOCS_START, DOCS_END, markdown(d))
