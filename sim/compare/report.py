"""The comparison report: a self-contained HTML page and a Markdown twin with PNG figures.

The HTML embeds every figure as base64 so it can be mailed or archived as one file; the Markdown
links the same PNGs in ``figures/``. Both are built from the same tables and paragraphs, and both
end with the inputs (config hashes, policy levers, seeds, replications, versions) needed to
reproduce every number exactly.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.compare import analysis
from sim.compare.analysis import ASSUMED_PRICES, OUTCOME_BY_KEY, OUTCOMES, CaseResult, fmt, fmt_interval, pct
from sim.compare.policies import PolicyPackage
from sim.run.palette import TOL_MUTED

BASELINE_COLOUR = "#555555"


@dataclass
class Figure:
    """A written PNG and its caption."""

    path: Path
    title: str
    caption: str


@dataclass
class Table:
    """A table both writers render: header, rows of text, and a note under it."""

    title: str
    header: list[str]
    rows: list[list[str]]
    note: str = ""


def arm_colours(arms: list[str], baseline: str) -> dict[str, str]:
    palette = [c for c in TOL_MUTED if c != BASELINE_COLOUR]
    out, k = {}, 0
    for a in arms:
        if a == baseline:
            out[a] = BASELINE_COLOUR
        else:
            out[a] = palette[k % len(palette)]
            k += 1
    return out


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in text).strip("_").lower()


# ---- figures ----------------------------------------------------------------------------------


def _err(est: float, low: float, high: float) -> list[list[float]]:
    """Error-bar lengths, never negative (rounding, or a percentile interval beside its estimate)."""
    return [[max(0.0, est - low)], [max(0.0, high - est)]]


def _available(df: pd.DataFrame, key: str) -> bool:
    return bool(np.isfinite(df[key].to_numpy(dtype=float)).any())


def fig_distributions(df: pd.DataFrame, res: CaseResult, arms: list[str], colours: dict[str, str], path: Path) -> Figure:
    """Box plots with every run as a dot: the spread behind each mean."""
    keys = ["exchange_years", "years_to_first_exchange"]
    for pair in (
        ("active_exchanges_20y", "active_exchanges_10y"),
        ("co2_avoided_t_per_year_20y", "co2_avoided_t_per_year_10y"),
        ("virgin_water_saved_m3_per_year_20y", "virgin_water_saved_m3_per_year_10y"),
    ):
        keys.append(pair[0] if _available(df, pair[0]) else pair[1])
    keys.append("public_funding_total_sek")
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.2), constrained_layout=True)
    rng = np.random.default_rng(0)  # jitter only; fixed so the figure is reproducible
    for ax, key in zip(axes.flat, keys, strict=True):
        o = OUTCOME_BY_KEY[key]
        data = [df.loc[df["arm"] == a, key].to_numpy(dtype=float) for a in arms]
        data = [d[np.isfinite(d)] for d in data]
        if any(len(d) for d in data):
            bp = ax.boxplot(
                data, orientation="horizontal", widths=0.55, patch_artist=True, showfliers=False, medianprops={"color": "black"}
            )
            for patch, a in zip(bp["boxes"], arms, strict=True):
                patch.set_facecolor(colours[a])
                patch.set_alpha(0.35)
            for i, (d, a) in enumerate(zip(data, arms, strict=True)):
                ax.scatter(d, i + 1 + rng.uniform(-0.18, 0.18, len(d)), s=9, color=colours[a], alpha=0.8, linewidths=0)
        ax.set_yticks(range(1, len(arms) + 1), arms, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel(f"{o.label} ({o.unit})", fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(f"{res.name}: outcomes of {len(res.seeds)} runs per policy", fontsize=11)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Figure(
        path,
        "Outcome distributions",
        "Each dot is one run (one seed); boxes span the middle half, the line is the median. Years to the first "
        "exchange count a run without any exchange as the whole horizon.",
    )


def fig_differences(res: CaseResult, policies: list[str], colours: dict[str, str], path: Path) -> Figure:
    """One small panel per outcome: each policy's mean paired difference and its 95 % interval."""
    keys = [o.key for o in OUTCOMES if any(res.diffs[p].diffs[o.key].n for p in policies)] + ["collapsed"]
    ncol = 3
    nrow = math.ceil(len(keys) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(13, 2.1 * nrow + 0.6), constrained_layout=True, squeeze=False)
    for ax in axes.flat[len(keys) :]:
        ax.axis("off")
    for ax, key in zip(axes.flat, keys, strict=False):
        label = "probability of collapse (percentage points, Newcombe)" if key == "collapsed" else None
        if label is None:
            o = OUTCOME_BY_KEY[key]
            label = f"{o.label} ({o.unit})"
        for i, p in enumerate(policies):
            iv = _scaled(res.diffs[p].collapse, 100) if key == "collapsed" else res.diffs[p].diffs[key]
            lo = iv.low if math.isfinite(iv.low) else iv.estimate
            hi = iv.high if math.isfinite(iv.high) else iv.estimate
            ax.errorbar(iv.estimate, i, xerr=_err(iv.estimate, lo, hi), fmt="o", color=colours[p], capsize=3, markersize=5)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(range(len(policies)), policies, fontsize=8)
        ax.set_ylim(len(policies) - 0.5, -0.5)
        ax.set_title(label, fontsize=9)
        ax.xaxis.set_major_locator(MaxNLocator(6))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.6g}"))
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(f"{res.name}: difference from the baseline, paired by seed (mean, 95 % t interval)", fontsize=11)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Figure(
        path,
        "Differences from the baseline",
        "Policy minus baseline on the same seed, averaged over seeds; bars are 95 % t intervals of the paired "
        "differences. An interval that crosses the black zero line is not a clear effect.",
    )


def fig_collapse(res: CaseResult, arms: list[str], colours: dict[str, str], path: Path) -> Figure:
    """Share of runs whose cluster collapsed, and share that never had an exchange, with Wilson intervals."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 0.45 * len(arms) + 1.8), constrained_layout=True)
    for ax, attr, title in (
        (axes[0], "collapse", "probability of collapse"),
        (axes[1], "never", "probability of no exchange at all"),
    ):
        for i, a in enumerate(arms):
            iv = getattr(res.arms[a], attr)
            ax.barh(i, iv.estimate, color=colours[a], alpha=0.75)
            ax.errorbar(iv.estimate, i, xerr=_err(iv.estimate, iv.low, iv.high), color="black", capsize=3)
        ax.set_yticks(range(len(arms)), arms, fontsize=8)
        ax.set_ylim(len(arms) - 0.5, -0.5)
        ax.set_xlim(0, 1)
        ax.set_xlabel(f"{title} (share of runs, 95 % Wilson interval)", fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(f"{res.name}: collapse and failure to start", fontsize=11)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Figure(
        path,
        "Probability of collapse",
        "A run collapses when its cluster was once active (Chertow's 3-2 rule) and has been inactive for the "
        "collapse window at the end. Bars are shares of runs with 95 % Wilson score intervals.",
    )


def fig_timeline(ts: pd.DataFrame, res: CaseResult, arms: list[str], colours: dict[str, str], path: Path) -> Figure:
    """Mean active exchanges and cumulative public money over time per arm, with 95 % t bands."""
    from scipy import stats as sps

    fig, axes = plt.subplots(1, 2, figsize=(13, 4.2), constrained_layout=True)
    first = ts.loc[ts["step"].idxmin()] if len(ts) else None
    start = float(first["year"]) - (int(first["step"]) - 1) // 12 if first is not None else 0.0
    for ax, col, scale, label in (
        (axes[0], "active_exchanges", 1.0, "active exchanges (mean of runs)"),
        (axes[1], "public_funding_sek", 1e-6, "public money spent so far (MSEK, mean of runs)"),
    ):
        for a in arms:
            sub = ts[ts["arm"] == a]
            g = sub.groupby("step")[col]
            mean = g.mean() * scale
            n = g.count()
            sem = g.std(ddof=1).fillna(0.0) * scale / np.sqrt(n)
            half = sem * sps.t.ppf(0.975, np.maximum(n - 1, 1))
            t = start + (mean.index.to_numpy() - 1) / 12.0
            top = a == arms[0]  # the baseline on top, dashed, so identical arms still show it
            ax.plot(
                t,
                mean.to_numpy(),
                color=colours[a],
                label=a,
                linewidth=1.4 if top else 1.8,
                linestyle="--" if top else "-",
                zorder=3 if top else 2,
            )
            ax.fill_between(t, (mean - half).to_numpy(), (mean + half).to_numpy(), color=colours[a], alpha=0.15, linewidth=0)
        ax.set_xlabel("year")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(label, fontsize=9)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8, loc="upper left")
    fig.suptitle(f"{res.name}: paths over time", fontsize=11)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Figure(path, "Paths over time", "Means over runs, sampled every few months; bands are 95 % t intervals of the mean.")


def fig_cost(res: CaseResult, baseline: str, arms: list[str], colours: dict[str, str], path: Path) -> Figure:
    """Cost-effectiveness: the plane of extra money against extra exchange-years, and SEK per unit."""
    policies = [a for a in arms if a != baseline]
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.4), constrained_layout=True)
    ax = axes[0]
    for p in policies:
        dx = res.diffs[p].diffs["exchange_years"]
        dy = res.diffs[p].diffs["public_funding_total_sek"]
        xe = _err(dx.estimate, dx.low, dx.high) if math.isfinite(dx.low) else None
        ye = _err(dy.estimate, dy.low, dy.high) if math.isfinite(dy.low) else None
        ax.errorbar(dx.estimate, dy.estimate, xerr=xe, yerr=ye, fmt="o", color=colours[p], capsize=3, label=p)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("extra active exchange-years vs baseline")
    ax.set_ylabel("extra public money vs baseline (MSEK)")
    ax.set_title("cost-effectiveness plane (95 % intervals)", fontsize=9)
    ax.grid(alpha=0.3)
    if policies:
        ax.legend(fontsize=7)
    for ax, attr, title in (
        (axes[1], "sek_per_exchange_year", "public SEK per active exchange-year"),
        (axes[2], "sek_per_t_co2", "public SEK per tonne CO2 avoided"),
    ):
        for i, a in enumerate(arms):
            iv = getattr(res.arms[a], attr)
            if not math.isfinite(iv.estimate):
                ax.text(0, i, " n/a (no units)", va="center", fontsize=8)
                continue
            ax.barh(i, iv.estimate, color=colours[a], alpha=0.75)
            if math.isfinite(iv.low) and math.isfinite(iv.high):
                ax.errorbar(iv.estimate, i, xerr=_err(iv.estimate, iv.low, iv.high), color="black", capsize=3)
            elif math.isfinite(iv.low):  # unbounded above: an arrow to the right
                ax.annotate("", xy=(iv.estimate * 1.6, i), xytext=(iv.low, i), arrowprops={"arrowstyle": "->"})
        ax.set_yticks(range(len(arms)), arms, fontsize=8)
        ax.set_ylim(len(arms) - 0.5, -0.5)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
        ax.set_xlabel(f"{title} (bootstrap 95 %)", fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(f"{res.name}: public money and what it buys", fontsize=11)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Figure(
        path,
        "Public money and cost-effectiveness",
        "Left: each policy's mean extra public money against its mean extra active exchange-years (paired by seed). "
        "Middle and right: total public money over total exchange-years or tonnes of CO2 avoided, with intervals "
        "from resampling seeds. Counted: project shares, base funding, guarantees paid, and the authorities' work for "
        "land reservation, permit sandboxes and heat-mandate supervision (priced by assumption).",
    )


# ---- tables -----------------------------------------------------------------------------------


def _outcome_rows(
    columns: list[str], interval: Callable[[str, str], analysis.Interval], cell: Callable[[analysis.Interval, int], str]
) -> list[list[str]]:
    """A row per outcome that has data in some column: its label and unit, then ``cell`` of each column's interval."""
    shown = [o for o in OUTCOMES if any(interval(c, o.key).n for c in columns)]
    return [[f"{o.label} ({o.unit})", *(cell(interval(c, o.key), o.decimals) for c in columns)] for o in shown]


def arm_table(res: CaseResult, arms: list[str]) -> Table:
    header = ["outcome (unit)", *arms]
    rows = _outcome_rows(arms, lambda a, k: res.arms[a].means[k], fmt_interval)
    rows.append(["probability of collapse", *(_pct_interval(res.arms[a].collapse) for a in arms)])
    rows.append(["probability of no exchange", *(_pct_interval(res.arms[a].never) for a in arms)])
    rows.append(["public SEK per active exchange-year", *(_sek_interval(res.arms[a].sek_per_exchange_year) for a in arms)])
    rows.append(["public SEK per tonne CO2 avoided", *(_sek_interval(res.arms[a].sek_per_t_co2) for a in arms)])
    return Table(
        f"{res.name}: outcomes per policy",
        header,
        rows,
        "Mean [95 % t interval] over runs; probabilities with 95 % Wilson intervals; cost per unit is total public money "
        "over total units, with a 95 % paired-bootstrap interval. 'n/a' means the horizon is too short or there were no units.",
    )


def diff_table(res: CaseResult, policies: list[str]) -> Table:
    header = ["outcome (unit)", *policies]
    rows = _outcome_rows(policies, lambda p, k: res.diffs[p].diffs[k], _mark)
    rows.append(
        [
            "probability of collapse (percentage points)",
            *(_mark(_scaled(res.diffs[p].collapse, 100), 0) for p in policies),
        ]
    )
    for label, attr in (
        ("incremental SEK per extra exchange-year", "incremental_sek_per_exchange_year"),
        ("incremental SEK per extra tonne CO2", "incremental_sek_per_t_co2"),
    ):
        rows.append([label, *(_icer_cell(getattr(res.diffs[p], attr), res.diffs[p].diffs["public_funding_total_sek"]) for p in policies)])
    return Table(
        f"{res.name}: difference from the baseline (policy minus baseline, paired by seed)",
        header,
        rows,
        "Mean paired difference [95 % t interval]; collapse with Newcombe's paired score interval; * marks an interval "
        "that excludes zero. Incremental cost is extra public money over extra units (bootstrap interval), shown only "
        "when the policy clearly adds units (its interval lies above zero).",
    )


def _icer_cell(iv: analysis.Interval, d_cost: analysis.Interval) -> str:
    """Incremental cost per unit; a policy that adds units and saves money is 'dominant', not a negative price."""
    if not math.isfinite(iv.estimate):
        return "no clear gain"
    if d_cost.estimate <= 0:
        return "no extra cost" if d_cost.estimate == 0 else "saves money (dominant)"
    return _sek_interval(iv)


def _scaled(iv: analysis.Interval, k: float) -> analysis.Interval:
    return analysis.Interval(iv.estimate * k, iv.low * k, iv.high * k, iv.n)


def _mark(iv: analysis.Interval, decimals: int) -> str:
    return fmt_interval(iv, decimals, sign=True) + (" *" if iv.excludes_zero() else "")


def _pct_interval(iv: analysis.Interval) -> str:
    return f"{pct(iv.estimate)} [{pct(iv.low)}, {pct(iv.high)}]" if iv.n else "n/a"


def _sek_interval(iv: analysis.Interval, missing: str = "n/a") -> str:
    if not math.isfinite(iv.estimate):
        return missing
    if math.isnan(iv.low):
        return f"{fmt(iv.estimate, 0)}"
    return f"{fmt(iv.estimate, 0)} [{fmt(iv.low, 0)}, {fmt(iv.high, 0)}]"


# ---- writers ----------------------------------------------------------------------------------


@dataclass
class Report:
    """Everything both writers need."""

    title: str
    intro: str
    readings: list[tuple[str, str]]
    packages: list[PolicyPackage]
    cases: list[tuple[CaseResult, list[Table], list[Figure]]]
    inputs: list[tuple[str, str]]
    notes: list[str]


def _html_table(t: Table) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in t.header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in t.rows)
    note = f'<p class="note">{html.escape(t.note)}</p>' if t.note else ""
    return f"<h4>{html.escape(t.title)}</h4><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}"


def _md_table(t: Table) -> str:
    def cell(s: str) -> str:
        return s.replace("|", "\\|")

    lines = [f"#### {t.title}", "", "| " + " | ".join(cell(h) for h in t.header) + " |", "|" + "---|" * len(t.header)]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in t.rows]
    if t.note:
        lines += ["", f"*{t.note}*"]
    return "\n".join(lines)


CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0;font-size:.88em}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:right}
th:first-child,td:first-child{text-align:left}thead th{background:#f2f2f2}.note{font-size:.85em;color:#555}
figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}figcaption{font-size:.85em;color:#555}
table.packages td,table.packages th{text-align:left;vertical-align:top}
.reading{background:#f7f7f2;border-left:4px solid #999933;padding:.6em 1em;margin:.8em 0}code{font-size:.9em}
dl.inputs dt{font-weight:600;margin-top:.4em}dl.inputs dd{margin-left:1.5em;font-family:monospace;font-size:.85em;white-space:pre-wrap}
"""


def write_html(rep: Report, path: Path) -> None:
    """One self-contained file: figures inline as base64 PNG, no external resources."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(rep.title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{html.escape(rep.title)}</h1>",
        f"<p>{html.escape(rep.intro)}</p>",
        "<h2>What the results say</h2>",
    ]
    for name, text in rep.readings:
        out.append(f'<div class="reading" id="reading-{_slug(name)}"><p>{html.escape(text)}</p></div>')
    out.append(
        "<h2>Policy packages</h2><table class='packages'><thead><tr><th>name</th><th>levers</th><th>description</th><th>source</th></tr></thead><tbody>"
    )
    for p in rep.packages:
        lev = ", ".join(f"{k} = {analysis.lever_value(v)}" for k, v in p.levers.items()) or "(the case's own values)"
        out.append(
            f"<tr><td>{html.escape(p.name)}</td><td>{html.escape(lev)}</td><td>{html.escape(p.description)}</td>"
            f"<td>{html.escape(p.source)}</td></tr>"
        )
    out.append("</tbody></table>")
    for res, tables, figures in rep.cases:
        out.append(f'<h2 id="case-{_slug(res.case)}">{html.escape(res.name)}</h2>')
        for t in tables:
            out.append(_html_table(t))
        for f in figures:
            data = base64.b64encode(f.path.read_bytes()).decode("ascii")
            out.append(
                f'<figure><img alt="{html.escape(f.title)}: {html.escape(res.name)}" src="data:image/png;base64,{data}">'
                f"<figcaption><b>{html.escape(f.title)}.</b> {html.escape(f.caption)}</figcaption></figure>"
            )
    out.append("<h2>Method notes</h2><ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in rep.notes) + "</ul>")
    out.append('<h2>Inputs (to reproduce)</h2><dl class="inputs">')
    for k, v in rep.inputs:
        out.append(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>")
    out.append("</dl></body></html>")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def write_markdown(rep: Report, path: Path) -> None:
    """The same report in Markdown; figures are linked relative to the file."""
    lines = [f"# {rep.title}", "", rep.intro, "", "## What the results say", ""]
    for _, text in rep.readings:
        lines += [text, ""]
    lines += ["## Policy packages", "", "| name | levers | description | source |", "|---|---|---|---|"]
    for p in rep.packages:
        lev = ", ".join(f"{k} = {analysis.lever_value(v)}" for k, v in p.levers.items()) or "(the case's own values)"
        lines.append(f"| {p.name} | {lev} | {p.description} | {p.source} |".replace("\n", " "))
    lines.append("")
    for res, tables, figures in rep.cases:
        lines += [f"## {res.name}", ""]
        for t in tables:
            lines += [_md_table(t), ""]
        for f in figures:
            rel = f.path.relative_to(path.parent).as_posix()
            lines += [f"![{f.title}: {res.name}]({rel})", "", f"*{f.title}.* {f.caption}", ""]
    lines += ["## Method notes", ""] + [f"- {n}" for n in rep.notes] + ["", "## Inputs (to reproduce)", ""]
    for k, v in rep.inputs:
        if "\n" in v:
            lines += [f"**{k}**", "", "```", v, "```", ""]
        else:
            lines += [f"- **{k}**: `{v}`"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def build(
    runs: pd.DataFrame,
    ts: pd.DataFrame,
    results: list[CaseResult],
    packages: list[PolicyPackage],
    out: Path,
    inputs: list[tuple[str, str]],
    intro: str,
) -> tuple[Path, Path, list[Path]]:
    """Draw every figure, then write ``report.html`` and ``report.md`` into ``out``."""
    baseline = packages[0].name
    arms = [p.name for p in packages]
    policies = arms[1:]
    colours = arm_colours(arms, baseline)
    figdir = out / "figures"
    figdir.mkdir(parents=True, exist_ok=True)
    years = {r.case: r.years for r in results}
    df = analysis.prepared(runs, years)
    cases = []
    figs: list[Path] = []
    for res in results:
        cdf = df[df["case"] == res.case]
        cts = ts[ts["case"] == res.case]
        slug = _slug(res.case)
        tables = [arm_table(res, arms)]
        figures = [fig_distributions(cdf, res, arms, colours, figdir / f"{slug}_distributions.png")]
        if policies:
            tables.append(diff_table(res, policies))
            figures.append(fig_differences(res, policies, colours, figdir / f"{slug}_differences.png"))
        figures.append(fig_collapse(res, arms, colours, figdir / f"{slug}_collapse.png"))
        figures.append(fig_timeline(cts, res, arms, colours, figdir / f"{slug}_timeline.png"))
        figures.append(fig_cost(res, baseline, arms, colours, figdir / f"{slug}_cost.png"))
        figs += [f.path for f in figures]
        cases.append((res, tables, figures))
    readings = [(p.name, analysis.reading(results, baseline, p)) for p in packages[1:]]
    if not readings:
        readings = [(baseline, f"Only the baseline ({baseline}) was run, so there is nothing to compare; the tables describe it alone.")]
    rep = Report(
        title="Funding-policy comparison: " + ", ".join(r.name for r in results),
        intro=intro,
        readings=readings,
        packages=packages,
        cases=cases,
        inputs=inputs,
        notes=NOTES,
    )
    html_path, md_path = out / "report.html", out / "report.md"
    write_html(rep, html_path)
    write_markdown(rep, md_path)
    return html_path, md_path, figs


NOTES = [
    "Common random numbers: replication r of every policy uses the same seed, so each policy is compared with the "
    "baseline run by run; the difference intervals are Student-t intervals of those per-seed differences.",
    "A policy package sets only its own levers; every other lever keeps the value of the case's own scenario file. "
    "Scheduled set_policy events in a scenario still apply at their date.",
    "Collapse: the cluster was once active (at least 3 firms exchanging at least 2 resource types, Chertow 2007) and "
    "was inactive over the last collapse window of the run. Intervals: Wilson score (per policy) and Newcombe's "
    "hybrid score method for paired proportions (differences).",
    "Years to the first exchange count a run that never had one as the whole horizon, so a policy that makes "
    "exchanges happen at all shows as earlier; the share of runs without any exchange is shown beside it.",
    "Public money is what the model pays: the public share of facilitation projects, permanent base funding and "
    "guarantees paid out when a guaranteed start-up exits, and the authorities' own work where a policy needs it, priced "
    "by assumption: free plots held in reserve, faster permit procedures in a sandbox, supervision of heat assessments "
    f"({', '.join(ASSUMED_PRICES.values())}). Cost per unit is total money over total units across runs (a ratio of means), with a 95 % "
    "percentile interval from 2,000 resamples of seeds; incremental cost divides extra money by extra units, paired by seed.",
    "Outcomes at 10 and 20 years need a horizon at least that long ('n/a' otherwise; set it with --years).",
]


def versions_text(v: dict[str, Any]) -> str:
    return ", ".join(f"{k} {val}" for k, val in v.items())
