"""What a calibration found, as files: the ensemble, every point, the summary and the figures.

``ensemble.parquet`` is the interface for whatever runs the model over the calibrated ensemble:
one row per accepted point, a ``member`` number and one float column per parameter named by its
dotted config key, nothing else. The summary says how much of the prior the facts keep, how
each parameter narrows (the accepted interquartile range over the prior's, and a Kolmogorov-
Smirnov test of the wave-1 accepted points against the uniform prior), which facts rule out which
part of the box, which facts no point meets and where the model's defaults stand.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from sim.calibrate.engine import Result

SIDES = ("low", "high")


def _r(x: float, digits: int = 4) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), digits)


def ensemble(res: Result) -> pd.DataFrame:
    keys = [p.key for p in res.loaded.parameters]
    acc = res.points[res.points["point"].map(res.accepted)]
    out = acc[keys].astype(float).reset_index(drop=True)
    out.insert(0, "member", np.arange(len(out), dtype=np.int64))
    return out


def points_table(res: Result) -> pd.DataFrame:
    """Every simulated point: wave, values, its largest implausibility over the rule's facts, accepted."""
    rule = res.imp[~res.imp["fact"].isin(res.structural)]
    worst = rule.groupby("point")["implausibility"].max()
    failing = rule[rule["implausibility"] >= res.loaded.spec.acceptance.cutoff].groupby("point").size()
    pts = res.points[["point", "wave", "default", *[p.key for p in res.loaded.parameters]]].copy()
    pts["max_implausibility"] = pts["point"].map(worst).astype(float)
    pts["facts_ruling_out"] = pts["point"].map(failing).fillna(0).astype("int64")
    pts["accepted"] = pts["point"].map(res.accepted).astype(bool)
    return pts


def _design_points(res: Result) -> pd.DataFrame:
    """Wave 1 without the default point: a sample of the prior."""
    return res.points[(res.points["wave"] == 1) & ~res.points["default"]]


def ruled_out(res: Result) -> tuple[list[dict[str, Any]], pd.DataFrame]:
    """Per fact of the rule that rules out any wave-1 point: its share, and the third of one
    parameter's range where it rules out most against the opposite third; and the fact x parameter
    matrix of (share ruled out in the high third - in the low third)."""
    cut = res.loaded.spec.acceptance.cutoff
    w1 = _design_points(res).set_index("point")
    rule = res.imp[res.imp["point"].isin(w1.index) & ~res.imp["fact"].isin(res.structural)]
    wide = rule.pivot(index="point", columns="fact", values="implausibility").reindex(w1.index)
    out, heat = [], {}
    for fid in wide.columns:
        bad = (wide[fid] >= cut).to_numpy()
        if not bad.any():
            continue
        best: tuple[float, str, str, float, float] = (-2.0, "", "", 0.0, 0.0)
        row = {}
        for p in res.loaded.parameters:
            u = w1[f"unit:{p.key}"].to_numpy()
            lo, hi = bad[u < 1 / 3], bad[u > 2 / 3]
            s_lo, s_hi = (float(lo.mean()) if len(lo) else 0.0), (float(hi.mean()) if len(hi) else 0.0)
            row[p.key] = s_hi - s_lo
            for share, other, side in ((s_lo, s_hi, "low"), (s_hi, s_lo, "high")):
                if share - other > best[0]:  # where it rules out most against the other end of the range
                    best = (share - other, p.key, side, share, other)
        heat[fid] = row
        out.append(
            {
                "fact": fid,
                "share": round(float(bad.mean()), 4),
                "parameter": best[1],
                "third": best[2],
                "share_in_third": round(best[3], 4),
                "share_in_other_third": round(best[4], 4),
            }
        )
    out.sort(key=lambda r: (-r["share"], r["fact"]))
    return out, pd.DataFrame(heat).T.reindex([r["fact"] for r in out])


def parameter_rows(res: Result) -> list[dict[str, Any]]:
    from scipy import stats

    ens = ensemble(res)
    w1 = _design_points(res)
    kept = w1["point"].map(res.accepted).astype(bool)
    w1_acc, w1_out = w1[kept], w1[~kept]
    rows = []
    for p in res.loaded.parameters:
        v = ens[p.key].to_numpy()
        q = np.quantile(v, [0.05, 0.25, 0.5, 0.75, 0.95]) if len(v) else np.full(5, np.nan)
        u = w1_acc[f"unit:{p.key}"].to_numpy()
        ks = stats.kstest(u, "uniform") if len(u) >= 2 else None
        out = w1_out[f"unit:{p.key}"].to_numpy()
        mw = stats.mannwhitneyu(u, out, alternative="two-sided") if min(len(u), len(out)) >= MIN_GROUP else None
        rows.append(
            {
                "key": p.key,
                "prior": [p.low, p.high],
                "default": p.default,
                "q05": _r(q[0], 6),
                "q50": _r(q[2], 6),
                "q95": _r(q[4], 6),
                "iqr_ratio": _r((q[3] - q[1]) / ((p.high - p.low) / 2.0)),
                "ks_statistic": _r(ks.statistic) if ks else None,
                "ks_p": _r(ks.pvalue, 6) if ks else None,
                "mw_p": _r(mw.pvalue, 6) if mw else None,
                "default_quantile": _r(float((v <= p.default).mean())) if len(v) else None,
            }
        )
    return rows


MIN_IQR_MEMBERS = 20  # fewer accepted points give too rough an interquartile range to call a narrowing
IQR_NARROW, KS_ALPHA = 0.7, 0.01
MIN_GROUP = 3  # accepted and ruled-out wave-1 points each, for the rank test between them


def narrowed_by(row: dict[str, Any], members: int) -> bool:
    """A parameter narrows if its wave-1 accepted points depart from the uniform prior (KS p < 0.01), or
    lie elsewhere than the wave-1 points the facts rule out (Mann-Whitney p < 0.01: the more powerful
    test when few points are accepted, since it uses every point of the design), or if at least 20
    members span less than 0.7 of the prior's interquartile range."""
    ks = row["ks_p"] is not None and row["ks_p"] < KS_ALPHA
    mw = row.get("mw_p") is not None and row["mw_p"] < KS_ALPHA
    iqr = members >= MIN_IQR_MEMBERS and row["iqr_ratio"] is not None and row["iqr_ratio"] < IQR_NARROW
    return bool(ks or mw or iqr)


def by_chance(narrowed: int, tested: int) -> float:
    """The chance that ``narrowed`` or more of ``tested`` parameters pass a test at 0.01 although the
    facts constrain none of them (independent tests): how much the list of narrowed ones can be trusted."""
    from scipy import stats

    return float(stats.binom.sf(narrowed - 1, tested, KS_ALPHA)) if narrowed else 1.0


def summarise(res: Result) -> dict[str, Any]:
    spec = res.loaded.spec
    cut = spec.acceptance.cutoff
    w1 = _design_points(res)
    n_acc = sum(res.accepted.values())
    w1_acc = int(w1["point"].map(res.accepted).sum())
    says = {f"{c.id}/{f.id}": f.says for c in res.loaded.cases for f in c.cfg.facts}
    default = res.points.loc[res.points["default"], "point"]
    d_id = int(default.iloc[0]) if len(default) else None
    d_imp = res.imp[(res.imp["point"] == d_id) & ~res.imp["fact"].isin(res.structural)]
    params = parameter_rows(res)
    rules, _ = ruled_out(res)
    narrowed = [r["key"] for r in params if narrowed_by(r, n_acc)]
    out: dict[str, Any] = {
        "name": spec.name,
        "commit": res.commit,
        "seconds": round(res.seconds, 1),
        "case_runs_this_invocation": res.runs,
        "cases": len(res.loaded.cases),
        "facts": len(res.facts),
        "seeds": spec.seeds,
        "cutoff": cut,
        "misses": spec.acceptance.misses,
        "points": len(res.points),
        "points_per_wave": {int(k): int(v) for k, v in res.points.groupby("wave").size().items()},
        "ensemble_size": int(n_acc),
        "prior_kept": {
            "wave1_design_points": len(w1),
            "wave1_accepted": w1_acc,
            "wave1_share": _r(w1_acc / len(w1)) if len(w1) else None,
            "emulator_share": _r(res.final_screen["share"], 6),
            "emulator_candidates": res.final_screen["candidates"],
        },
        "screens": {int(k): {kk: vv for kk, vv in v.items() if kk != "ruled_out_share"} for k, v in res.screens.items()},
        "structural": [{"fact": f, "says": says.get(f, "")} for f in res.structural],
        "rule_facts": len(res.facts) - len(res.structural),
        "parameters": params,
        "narrowed": narrowed,
        "narrowed_by_chance": _r(by_chance(len(narrowed), len(params)), 6),
        "ruled_out": rules,
        "defaults": {
            "point": d_id,
            "accepted": bool(res.accepted.get(d_id, False)) if d_id is not None else None,
            "max_implausibility": _r(float(d_imp["implausibility"].max())) if len(d_imp) else None,
            "ruled_out_by": sorted(d_imp.loc[d_imp["implausibility"] >= cut, "fact"].tolist()),
        },
        "stopped": res.stopped,
    }
    if n_acc == 0:
        pts = points_table(res)
        out["nothing_accepted"] = {
            "fewest_facts_ruling_out_a_point": int(pts["facts_ruling_out"].min()),
            "facts_ruling_out_most_points": [r["fact"] for r in rules[:10]],
            "why": (
                f"No simulated point passes the rule (at most {spec.acceptance.misses} of the {out['rule_facts']} facts missed); the "
                f"best point is still ruled out by {int(pts['facts_ruling_out'].min())} fact(s). The facts ruling out the most of the prior are listed; "
                "a fact that rules out nearly every point together with one that rules out the rest means the model cannot meet "
                "both at one parameter set."
            ),
        }
    if n_acc and not narrowed:
        if w1_acc < MIN_GROUP:
            out["why_not_narrowed"] = (
                f"Only {w1_acc} of the {len(w1)} wave-1 design points ({n_acc} points in all) pass the rule: too few to measure a "
                f"narrowing (a rank test of fewer than {MIN_GROUP} accepted points against the ruled-out ones has little power, and the "
                f"interquartile range needs {MIN_IQR_MEMBERS} members). Single facts do constrain single parameters (the table of "
                "facts ruling out a third of a range), but together they leave so few points that the ensemble cannot show it. "
                "With few seeds a yes/no fact also rules a point out by chance when every seed misses; more seeds per point or "
                "more points are needed."
            )
        else:
            out["why_not_narrowed"] = (
                "The accepted points spread over the prior ranges: no parameter's wave-1 accepted sample departs from the uniform "
                "prior (KS p >= 0.01) or from the ruled-out points (Mann-Whitney p >= 0.01) nor, with at least 20 members, narrows "
                "its interquartile range below 0.7 of the prior's. "
                "With these seeds and discrepancies the facts that can be met do not depend strongly enough on the parameters to "
                "constrain them."
            )
    return out


def write(res: Result) -> list[Path]:
    from sim.sweep.store import write_json, write_table

    out = res.out
    summary = summarise(res)
    paths = [out / "ensemble.parquet", out / "points.parquet", out / "implausibility.parquet", out / "summary.json", out / "summary.md"]
    write_table(pa.Table.from_pandas(ensemble(res), preserve_index=False), paths[0])
    write_table(pa.Table.from_pandas(points_table(res), preserve_index=False), paths[1])
    write_table(pa.Table.from_pandas(res.imp, preserve_index=False), paths[2])
    write_json(summary, paths[3])
    paths[4].write_text(markdown(summary, res), encoding="utf-8")
    from sim.calibrate.figures import draw

    paths += draw(res, out)
    res.files = paths
    return paths


def _q(x: float | None) -> str:
    return "–" if x is None else f"{x:.3g}"


def markdown(s: dict[str, Any], res: Result, heading: bool = True) -> str:
    """The summary as Markdown (also the block ``--docs`` writes into docs/validation.md)."""
    pk = s["prior_kept"]
    lines = [f"# Calibration {s['name']}", ""] if heading else []
    lines += [
        f"Model code at commit `{s['commit'][:12]}`; {s['cases']} cases, {s['facts']} facts, seeds 1-{s['seeds']} at every point; "
        f"{s['points']} points in {len(s['points_per_wave'])} wave(s) ({', '.join(f'wave {k}: {v}' for k, v in s['points_per_wave'].items())}); "
        f"cutoff {s['cutoff']:g}, a point may miss {s['misses']} of the rule's facts; `symbiosis calibrate {res.loaded.source}`.",
        "",
        f"- **Accepted ensemble**: {s['ensemble_size']} of {s['points']} simulated points.",
        f"- **Share of the prior kept**: {pk['wave1_accepted']} of {pk['wave1_design_points']} wave-1 design points "
        f"({_q(pk['wave1_share'])}); the emulators' estimate of the non-implausible share of the box: {_q(pk['emulator_share'])} "
        f"(of {pk['emulator_candidates']:,} candidates).",
        f"- **Structural facts** (no wave-1 point meets them; left out of the rule, which keeps {s['rule_facts']} facts): "
        f"{len(s['structural'])}" + (": " + ", ".join(f"`{f['fact']}`" for f in s["structural"]) if s["structural"] else "") + ".",
        f"- **The defaults**: {'accepted' if s['defaults']['accepted'] else 'not accepted'} (largest implausibility "
        f"{_q(s['defaults']['max_implausibility'])}"
        + (f"; ruled out by {', '.join(f'`{f}`' for f in s['defaults']['ruled_out_by'])}" if s["defaults"]["ruled_out_by"] else "")
        + ").",
    ]
    if s.get("stopped"):
        lines.append(f"- **Stopped**: {s['stopped']}.")
    if "nothing_accepted" in s:
        lines.append(f"- **Nothing accepted**: {s['nothing_accepted']['why']}")
    if "why_not_narrowed" in s:
        lines.append(f"- **No narrowing**: {s['why_not_narrowed']}")
    elif s["narrowed"]:
        lines.append(
            "- **Narrowed** (wave-1 accepted points against the uniform prior, KS p < 0.01, or against the ruled-out points, "
            f"Mann-Whitney p < 0.01; or IQR ratio < 0.7 with 20 or more members): {', '.join(f'`{k}`' for k in s['narrowed'])}. "
            f"The chance of as many passing by luck among {len(s['parameters'])} parameters the facts do not constrain: "
            f"{s['narrowed_by_chance']:.2g}."
        )
    lines += [
        "",
        "| parameter | prior | default | accepted 5 % | 50 % | 95 % | IQR / prior IQR | KS p (wave 1) | Mann-Whitney p (wave 1) | default's quantile |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in s["parameters"]:
        lines.append(
            f"| `{r['key']}` | [{r['prior'][0]:g}, {r['prior'][1]:g}] | {r['default']:g} | {_q(r['q05'])} | {_q(r['q50'])} | {_q(r['q95'])} | "
            f"{_q(r['iqr_ratio'])} | {_q(r['ks_p'])} | {_q(r.get('mw_p'))} | {_q(r['default_quantile'])} |"
        )
    if s["ruled_out"]:
        lines += [
            "",
            "| fact | share of wave 1 ruled out | rules out most (against the other end) | share there | at the other end |",
            "|---|---|---|---|---|",
        ]
        for r in s["ruled_out"][:20]:
            lines.append(
                f"| `{r['fact']}` | {r['share']:.2f} | {r['third']} third of `{r['parameter']}` | {r['share_in_third']:.2f} | "
                f"{r['share_in_other_third']:.2f} |"
            )
    return "\n".join(lines) + "\n"


DOCS_START, DOCS_END = "<!-- calibrate:start -->", "<!-- calibrate:end -->"


def update_docs(s: dict[str, Any], res: Result, path: Path) -> bool:
    """Rewrite the generated block of docs/validation.md's calibration section; False without its markers."""
    from sim.run.docking import replace_block

    return replace_block(path, DOCS_START, DOCS_END, markdown(s, res, heading=False))
