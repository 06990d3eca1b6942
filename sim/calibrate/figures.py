"""Figures of a calibration: marginals, pairs and the facts' rule-out map (matplotlib, Agg)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sim.calibrate.engine import Result
from sim.run.palette import TOL_MUTED

ACCEPTED, PRIOR, DEFAULT = TOL_MUTED[1], "#BBBBBB", TOL_MUTED[0]
MAX_PAIRS = 6  # parameters in the pairs plot: the most narrowed ones


def _short(key: str) -> str:
    return key.removeprefix("params.")


def marginals(res: Result, path: Path) -> None:
    """Per parameter: the wave-1 sample of the prior and the accepted points over the prior range."""
    params = res.loaded.parameters
    cols = min(4, len(params))
    rows = math.ceil(len(params) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows), squeeze=False)
    w1 = res.points[(res.points["wave"] == 1) & ~res.points["default"]]
    acc = res.points[res.points["point"].map(res.accepted)]
    for ax, p in zip(axes.flat, params, strict=False):
        bins = np.linspace(p.low, p.high, 11)
        ax.hist(w1[p.key], bins=bins, color=PRIOR, label="wave 1 (prior sample)")
        ax.hist(acc[p.key], bins=bins, color=ACCEPTED, alpha=0.8, label="accepted, any wave")
        ax.axvline(p.default, color=DEFAULT, ls="--", lw=1.2, label="default")
        ax.set_xlim(p.low, p.high)
        ax.set_title(_short(p.key), fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(params) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=6, loc="upper right")
    fig.suptitle(f"{res.loaded.spec.name}: accepted parameters against their prior ranges", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _most_narrowed(res: Result) -> list:
    from sim.calibrate.report import parameter_rows

    rows = {r["key"]: r for r in parameter_rows(res)}

    def rank(p) -> float:
        r = rows[p.key]
        return r["ks_p"] if r["ks_p"] is not None else 1.0

    return sorted(res.loaded.parameters, key=rank)[:MAX_PAIRS]


def pairs(res: Result, path: Path) -> None:
    """Pairwise scatter of the most narrowed parameters: accepted against rejected points."""
    params = _most_narrowed(res)
    k = len(params)
    acc = res.points["point"].map(res.accepted).to_numpy(dtype=bool)
    if k < 2:
        fig, ax = plt.subplots(figsize=(4, 3))
        p = params[0]
        ax.scatter(res.points[p.key], acc.astype(float), s=8, c=np.where(acc, ACCEPTED, PRIOR))
        ax.set_xlabel(_short(p.key))
        ax.set_ylabel("accepted")
    else:
        fig, axes = plt.subplots(k - 1, k - 1, figsize=(2.3 * (k - 1), 2.3 * (k - 1)), squeeze=False)
        for i in range(1, k):
            for j in range(k - 1):
                ax = axes[i - 1][j]
                if j >= i:
                    ax.axis("off")
                    continue
                px, py = params[j], params[i]
                ax.scatter(res.points.loc[~acc, px.key], res.points.loc[~acc, py.key], s=5, c=PRIOR, label="ruled out")
                ax.scatter(res.points.loc[acc, px.key], res.points.loc[acc, py.key], s=7, c=ACCEPTED, label="accepted")
                ax.scatter([px.default], [py.default], marker="*", s=60, c=DEFAULT, label="default")
                ax.set_xlim(px.low, px.high)
                ax.set_ylim(py.low, py.high)
                ax.tick_params(labelsize=6)
                if i == k - 1:
                    ax.set_xlabel(_short(px.key), fontsize=7)
                if j == 0:
                    ax.set_ylabel(_short(py.key), fontsize=7)
        axes[0][0].legend(fontsize=6)
    fig.suptitle("accepted and ruled-out points (the parameters that narrow most)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def ruled_out_map(res: Result, path: Path, max_facts: int = 30) -> None:
    """Fact x parameter: share of wave-1 points the fact rules out in the parameter's high third minus its low third."""
    from sim.calibrate.report import ruled_out

    _, heat = ruled_out(res)
    heat = heat.iloc[:max_facts]
    params = [p.key for p in res.loaded.parameters]
    fig_h = 1.5 + 0.28 * max(1, len(heat))
    fig, ax = plt.subplots(figsize=(max(7.0, 4 + 0.45 * len(params)), max(3.5, fig_h + 1.5)))
    if heat.empty:
        ax.text(0.5, 0.5, "no fact of the rule rules out a wave-1 point", ha="center", va="center")
        ax.axis("off")
    else:
        m = heat[params].to_numpy(dtype=float)
        im = ax.imshow(m, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
        ax.set_xticks(range(len(params)), [_short(p) for p in params], rotation=70, ha="right", fontsize=6)
        ax.set_yticks(range(len(heat)), list(heat.index), fontsize=6)
        fig.colorbar(im, ax=ax, label="share ruled out:\nhigh third − low third", shrink=0.8)
    ax.set_title("which facts rule out which part of the box (wave 1)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def draw(res: Result, out: Path) -> list[Path]:
    paths = [out / "marginals.png", out / "pairs.png", out / "ruled_out.png"]
    marginals(res, paths[0])
    pairs(res, paths[1])
    ruled_out_map(res, paths[2])
    return paths
