"""Hand-written SVG for the time series, and the axis helpers the map shares (see :mod:`~sim.dashboard.mapsvg`).

SVG strings are cheap to build (a few milliseconds per step, where a matplotlib PNG costs tens),
need no front-end library (so the page works offline) and give native hover labels through
``<title>`` elements. Every element a test or a student may look for carries a ``data-*`` tag.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

FONT = "font-family: Roboto, Arial, sans-serif"
PINNED_COLOUR = "#777777"


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values covering [lo, hi], about ``n`` of them (1-2-5 steps)."""
    if not math.isfinite(lo) or not math.isfinite(hi) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    out = []
    v = first
    while v <= hi + 1e-9 * step:
        out.append(round(v, 10))
        v += step
    return out


def nice_max(v: float) -> float:
    """The smallest 'round' number at or above v, so axes do not end at odd values."""
    if v <= 0 or not math.isfinite(v):
        return 1.0
    mag = 10 ** math.floor(math.log10(v))
    return next(s * mag for s in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if s * mag >= v * (1 - 1e-12))


def fmt_tick(v: float) -> str:
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if v == int(v):
        return str(int(v))
    return f"{v:g}"


# ----- time series -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Series:
    """One line (or band, when stacked) of a chart."""

    label: str
    values: Sequence[float]
    colour: str
    dash: str = ""


def _polyline_segments(xs: Sequence[float], ys: Sequence[float]) -> list[list[tuple[float, float]]]:
    """Split at missing values (NaN) so gaps stay gaps."""
    segs: list[list[tuple[float, float]]] = [[]]
    for x, y in zip(xs, ys, strict=False):
        if y is None or not math.isfinite(y):
            if segs[-1]:
                segs.append([])
            continue
        segs[-1].append((x, y))
    return [s for s in segs if s]


def chart_svg(
    t: Sequence[float],
    series: Sequence[Series],
    *,
    t_range: tuple[float, float],
    ylabel: str,
    testid: str,
    stacked: bool = False,
    pinned: Sequence[tuple[Sequence[float], Sequence[float], str]] = (),
    y_max: float | None = None,
    width: int = 500,
    height: int = 300,
) -> str:
    """A line chart (or stacked areas) against calendar year, with a faint pinned reference.

    ``t`` is in fractional years. ``pinned`` holds (t, values, label) curves drawn dashed grey
    underneath. The x axis spans the whole horizon so a run grows from left to right.
    """
    ml, mr, mt, mb = 58, 16, 8, 34
    pw, ph = width - ml - mr, height - mt - mb
    t0, t1 = t_range
    if stacked:
        tops = [sum(vals) for vals in zip(*(s.values for s in series), strict=True)] if series else []
    else:
        tops = [v for s in series for v in s.values if v is not None and math.isfinite(v)]
    tops += [v for _, vals, _ in pinned for v in vals if v is not None and math.isfinite(v)]
    ymax = y_max if y_max is not None else nice_max(max(tops, default=0.0))

    def px(x: float) -> float:
        return ml + (x - t0) / max(t1 - t0, 1e-9) * pw

    def py(y: float) -> float:
        return mt + ph - y / ymax * ph

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'style="{FONT}; max-height: {height + 10}px" data-testid="{testid}" role="img" aria-label="{escape(ylabel)}">'
    ]
    for v in nice_ticks(0, ymax, 4):
        out.append(f'<line x1="{ml}" y1="{py(v):.1f}" x2="{ml + pw}" y2="{py(v):.1f}" stroke="#e5e5e5"/>')
        out.append(f'<text x="{ml - 4}" y="{py(v) + 3:.1f}" font-size="12" text-anchor="end" class="tick">{fmt_tick(v)}</text>')
    span = t1 - t0
    step = 1 if span <= 8 else 2 if span <= 16 else 5 if span <= 40 else 10
    for yr in range(math.ceil(t0), math.floor(t1) + 1):
        if yr % step == 0:
            out.append(f'<line x1="{px(yr):.1f}" y1="{mt + ph}" x2="{px(yr):.1f}" y2="{mt + ph + 4}" stroke="#666"/>')
            out.append(f'<text x="{px(yr):.1f}" y="{mt + ph + 17}" font-size="12" text-anchor="middle" class="tick">{yr}</text>')
    out.append(f'<line x1="{ml}" y1="{mt + ph}" x2="{ml + pw}" y2="{mt + ph}" stroke="#666"/>')
    out.append(f'<line x1="{ml}" y1="{mt}" x2="{ml}" y2="{mt + ph}" stroke="#666"/>')
    out.append(f'<text x="{ml + pw / 2:.1f}" y="{height - 2}" font-size="12" text-anchor="middle">year</text>')
    out.append(
        f'<text x="13" y="{mt + ph / 2:.1f}" font-size="12" text-anchor="middle" transform="rotate(-90 13 {mt + ph / 2:.1f})">{escape(ylabel)}</text>'
    )
    for pt, pv, plabel in pinned:
        for seg in _polyline_segments(pt, pv):
            pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in seg)
            out.append(
                f'<polyline points="{pts}" fill="none" stroke="{PINNED_COLOUR}" stroke-width="1.5" stroke-dasharray="5 3" '
                f'stroke-opacity="0.6" data-pinned="1"><title>{escape(plabel)}</title></polyline>'
            )
    if stacked and t:
        base = [0.0] * len(t)
        for s in series:
            top = [b + v for b, v in zip(base, s.values, strict=True)]
            if any(v > 0 for v in s.values):
                up = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(t, top, strict=True))
                down = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(reversed(t), reversed(base), strict=True))
                out.append(
                    f'<polygon points="{up} {down}" fill="{s.colour}" fill-opacity="0.85" stroke="none" data-series="{escape(s.label)}">'
                    f"<title>{escape(s.label)}</title></polygon>"
                )
            base = top
    elif t:
        for s in series:
            for seg in _polyline_segments(t, s.values):
                pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in seg)
                out.append(
                    f'<polyline points="{pts}" fill="none" stroke="{s.colour}" stroke-width="2" {s.dash} data-series="{escape(s.label)}">'
                    f"<title>{escape(s.label)}</title></polyline>"
                )
    out.append("</svg>")
    return "".join(out)


def chart_legend(series: Sequence[Series], pinned_label: str | None) -> str:
    items = [
        f'<span style="white-space: nowrap; margin-right: 10px"><span style="color:{s.colour}; font-weight: bold">&#9632;</span> {escape(s.label)}</span>'
        for s in series
    ]
    if pinned_label:
        items.append(
            f'<span style="color:{PINNED_COLOUR}" data-testid="pinned-legend">&#8211; &#8211; pinned: {escape(pinned_label)}</span>'
        )
    return '<div style="font-size: 13px; line-height: 1.4">' + " ".join(items) + "</div>"
