"""Histories: does a town's symbiosis grow as its plants arrive? Exchanges started per decade
beside firms arriving per decade, over seeded runs of configs/scenarios/industrial_town_arrivals.yaml.

A network whose firms all exist from the first month fills in during its first decade and then
stops; real clusters grew as plants arrived. The scenario's arrivals peak in the third decade and
stop in the fourth, so growth that follows them cannot come from filling in alone.

    .venv/bin/python experiments/validation/arrivals.py [--n 20] [--out results/validation] [--workers 2] [--figure docs/figures/arrivals.png]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from experiments.common import fmt_mean, fmt_p, markdown_table, mean_ci, pmap, provenance  # noqa: E402
from sim import config  # noqa: E402
from sim.config import history  # noqa: E402
from sim.core.model import SymbiosisModel  # noqa: E402
from sim.run.palette import TOL_MUTED  # noqa: E402

SCENARIO = ROOT / "configs" / "scenarios" / "industrial_town_arrivals.yaml"
DECADE = 120  # months


def arrivals(cfg: config.ScenarioConfig) -> np.ndarray:
    """Firms of the history arriving per decade (those there at the start count in the first)."""
    steps = [s for _, _, s in history.all_firms(cfg)]
    return np.bincount([(s - 1) // DECADE for s in steps], minlength=cfg.years // 10)[: cfg.years // 10]


def scenario(arriving: bool = True) -> config.ScenarioConfig:
    """The scenario, or the same firms all there from the start (the counterfactual without a history)."""
    raw = config.read_yaml(SCENARIO)
    if not arriving:
        for f in raw["firms"]:
            f.pop("entry_year", None)
    return config.build(raw)


def started(task: tuple[int, bool]) -> list[int]:
    """Exchanges that started operating in each decade of one run (initial exchanges excluded)."""
    seed, arriving = task
    cfg = scenario(arriving)
    m = SymbiosisModel(cfg, rng=seed)
    while m.running:
        m.step()
    steps = [ex.operating_since for ex in m.ledger.all.values() if ex.operating_since is not None and ex.operating_since > 0]
    return np.bincount([(s - 1) // DECADE for s in steps], minlength=cfg.years // 10)[: cfg.years // 10].tolist()


def measure(n: int, workers: int = 1, counterfactual: bool = True) -> pd.DataFrame:
    """One row per history, seed and decade: firms arriving, exchanges started. ``history`` is
    "arrivals" (the scenario) or "all from the start" (the same firms without their entry years)."""
    seeds = list(range(1, n + 1))
    arms = [True, False] if counterfactual else [True]
    tasks = [(s, a) for a in arms for s in seeds]
    runs = pmap(started, tasks, workers)
    rows = []
    for (seed, arriving), counts in zip(tasks, runs, strict=True):
        cfg = scenario(arriving)
        arr = arrivals(cfg)
        for d, c in enumerate(counts):
            y0 = cfg.start_year + 10 * d
            rows.append(
                {
                    "history": "arrivals" if arriving else "all from the start",
                    "seed": seed,
                    "decade": f"{y0}-{y0 + 9}",
                    "firms_arriving": int(arr[d]),
                    "exchanges_started": int(c),
                }
            )
    return pd.DataFrame(rows)


def spearman_by_seed(df: pd.DataFrame) -> np.ndarray:
    """Per seed, Spearman's rho between firms arriving and exchanges started across decades (nan when flat)."""
    out = []
    df = df[df.history == "arrivals"]
    for _, g in df.groupby("seed", sort=True):
        if g["exchanges_started"].nunique() < 2:
            out.append(float("nan"))
        else:
            out.append(float(stats.spearmanr(g["firms_arriving"], g["exchanges_started"]).statistic))
    return np.array(out)


def peak_vs_none(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per seed, exchanges started in the decade with the most arrivals and in the last decade without any."""
    df = df[df.history == "arrivals"]
    arr = df[df.seed == df.seed.min()].set_index("decade")["firms_arriving"]
    peak, none = arr.idxmax(), arr[arr == 0].index[-1]
    wide = df.pivot(index="seed", columns="decade", values="exchanges_started")
    return wide[peak].to_numpy(), wide[none].to_numpy()


def summary(full: pd.DataFrame) -> str:
    """The Markdown table and the two tests (on the arrivals history)."""
    df = full[full.history == "arrivals"]
    other = full[full.history != "arrivals"]
    rows = []
    for decade, g in df.groupby("decade", sort=True):
        row = [decade, int(g["firms_arriving"].iloc[0]), fmt_mean(*mean_ci(g["exchanges_started"].to_numpy()), digits=1)]
        if len(other):
            row.append(fmt_mean(*mean_ci(other[other.decade == decade]["exchanges_started"].to_numpy()), digits=1))
        rows.append(row)
    header = ["decade", "firms arriving", "exchanges started, mean [95 % CI]"]
    if len(other):
        header.append("same firms all from the start")
    table = markdown_table(header, rows)
    rho = spearman_by_seed(df)
    ok = rho[np.isfinite(rho)]
    sign_p = stats.binomtest(int((ok > 0).sum()), int((ok != 0).sum()), 0.5, alternative="greater").pvalue if len(ok) else 1.0
    peak, none = peak_vs_none(df)
    diff = peak - none
    wil_p = stats.wilcoxon(diff, alternative="greater").pvalue if np.any(diff != 0) else 1.0
    n = df.seed.nunique()
    return (
        f"{table}\n\n"
        f"Over {n} seeds: Spearman's rho between firms arriving and exchanges started across the decades is "
        f"{np.nanmean(rho):.2f} on average, positive in {(ok > 0).sum()} of {len(ok)} seeds with any variation "
        f"(one-sided sign test {fmt_p(sign_p)}); the decade with the most arrivals starts {peak.mean():.1f} "
        f"exchanges against {none.mean():.1f} in the decade without arrivals (one-sided Wilcoxon {fmt_p(wil_p)}).\n\n"
        f"{_counterfactual(other)}({provenance()})\n"
    )


def _counterfactual(other: pd.DataFrame) -> str:
    if not len(other):
        return ""
    by = other.groupby("decade", sort=True)["exchanges_started"].mean()
    return (
        f"With the same firms all there from {by.index[0][:4]}, the network fills in at once and then stops: "
        + ", ".join(f"{v:.1f}" for v in by.to_numpy())
        + " exchanges started per decade.\n\n"
    )


def figure(full: pd.DataFrame, path: Path) -> None:
    """Exchanges started per decade (mean and 95 % interval over seeds) beside firms arriving, and
    the same firms all there from the start."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    df = full[full.history == "arrivals"]
    decades = sorted(df.decade.unique())
    arr = [int(df[df.decade == d].firms_arriving.iloc[0]) for d in decades]
    x = np.arange(len(decades))
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    arms = [("arrivals", "exchanges started (mean, 95 % CI)", TOL_MUTED[1])]
    if (full.history != "arrivals").any():
        arms.append(("all from the start", "exchanges started, same firms all from 1963", TOL_MUTED[4]))
    width = 0.8 / (len(arms) + 1)
    ax.bar(x - 0.4 + width / 2, arr, width, color=TOL_MUTED[0], label="firms arriving (scenario)")
    for k, (arm, label, colour) in enumerate(arms, start=1):
        sub = full[full.history == arm]
        st = [mean_ci(sub[sub.decade == d].exchanges_started.to_numpy()) for d in decades]
        mean = np.array([s[0] for s in st])
        err = np.array([[s[0] - s[1] for s in st], [s[2] - s[0] for s in st]])
        ax.bar(x - 0.4 + width / 2 + k * width, mean, width, yerr=err, capsize=3, color=colour, ecolor="#555555", label=label)
    ax.set_xticks(x, decades)
    ax.set_ylabel("per decade")
    ax.set_title(f"Growth follows arrivals: {SCENARIO.stem}, {df.seed.nunique()} seeds", fontsize=10)
    ax.legend(fontsize=8, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=20, help="seeds (1..n)")
    ap.add_argument("--out", type=Path, default=ROOT / "results" / "validation")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--no-counterfactual", action="store_true", help="skip the runs with every firm there from the start")
    ap.add_argument("--figure", type=Path, default=None, help="also write the PNG here (e.g. docs/figures/arrivals.png)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    df = measure(args.n, args.workers, counterfactual=not args.no_counterfactual)
    df.to_csv(args.out / "arrivals.csv", index=False)
    md = summary(df)
    (args.out / "arrivals.md").write_text(md, encoding="utf-8")
    print(md)
    if args.figure is not None:
        figure(df, args.figure)
        print(f"wrote {args.figure}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
