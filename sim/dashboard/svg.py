"""Hand-written SVG for the map and the time series.

SVG strings are cheap to build (a few milliseconds per step, where a matplotlib PNG costs tens),
need no front-end library (so the page works offline) and give native hover labels through
``<title>`` elements. Every element a test or a student may look for carries a ``data-*`` tag.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from sim.core.exchange import PIPELINE, Stage
from sim.core.resources import CATALOGUE
from sim.run.palette import RESOURCE_COLOURS, ROLE_COLOURS

if TYPE_CHECKING:
    from sim.core.model import SymbiosisModel

FONT = "font-family: Roboto, Arial, sans-serif"
PINNED_COLOUR = "#777777"

# Marker shapes for sectors, as unit polygons (None is a circle). Shapes repeat after eight
# sectors; the hover label always names the sector.
SHAPES: list[list[tuple[float, float]] | None] = [
    None,
    [(-1, -1), (1, -1), (1, 1), (-1, 1)],
    [(0, -1.25), (1.15, 0.85), (-1.15, 0.85)],
    [(0, -1.3), (1.3, 0), (0, 1.3), (-1.3, 0)],
    [(0, 1.25), (1.15, -0.85), (-1.15, -0.85)],
    [(math.cos(a) * 1.2, math.sin(a) * 1.2) for a in (math.pi / 2 + k * 2 * math.pi / 5 for k in range(5))],
    [(math.cos(a) * 1.2, math.sin(a) * 1.2) for a in (k * math.pi / 3 for k in range(6))],
    [
        (-1, -0.35),
        (-0.35, -0.35),
        (-0.35, -1),
        (0.35, -1),
        (0.35, -0.35),
        (1, -0.35),
        (1, 0.35),
        (0.35, 0.35),
        (0.35, 1),
        (-0.35, 1),
        (-0.35, 0.35),
        (-1, 0.35),
    ],
]


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


def sector_shapes(sectors: Sequence[str]) -> dict[str, int]:
    """A stable shape index per sector: sorted names, so the same config gives the same map."""
    return {s: i % len(SHAPES) for i, s in enumerate(sorted(set(sectors)))}


def marker(shape: int, cx: float, cy: float, r: float, attrs: str) -> str:
    poly = SHAPES[shape]
    if poly is None:
        return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" {attrs}/>'
    pts = " ".join(f"{cx + x * r * 0.85:.1f},{cy + y * r * 0.85:.1f}" for x, y in poly)
    return f'<polygon points="{pts}" {attrs}/>'


# ----- map ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MapFrame:
    """The visible window of the region in km, fixed for a run so the map does not jump."""

    x0: float
    y0: float
    x1: float
    y1: float


def map_frame(model: SymbiosisModel) -> MapFrame:
    """Frame the firms and municipal centres with a margin, inside the configured area."""
    xs = [f.x for f in model.firms] + [m.x for m in model.municipalities]
    ys = [f.y for f in model.firms] + [m.y for m in model.municipalities]
    # start-ups settle on plots near hubs: include the plots so the frame holds for the whole run
    for m in model.municipalities:
        xs += [p.x for p in m.plots]
        ys += [p.y for p in m.plots]
    w, h = model.config.area_km
    pad = max(1.0, 0.08 * max(max(xs) - min(xs), max(ys) - min(ys)))
    return MapFrame(max(0.0, min(xs) - pad), max(0.0, min(ys) - pad), min(w, max(xs) + pad), min(h, max(ys) + pad))


def map_svg(model: SymbiosisModel, frame: MapFrame, shapes: dict[str, int], width: int = 380, height: int = 270) -> str:
    """Firms at their coordinates (fill = role, shape = sector, area = turnover) and exchanges as lines.

    Operating exchanges are solid lines coloured by resource, thicker for larger flows; exchanges
    still being negotiated, permitted, financed or built are thin dashed grey lines.
    """
    ml, mr, mt, mb = 34, 6, 6, 28
    pw, ph = width - ml - mr, height - mt - mb
    sx = pw / max(frame.x1 - frame.x0, 1e-9)
    sy = ph / max(frame.y1 - frame.y0, 1e-9)
    s = min(sx, sy)
    ox = ml + (pw - s * (frame.x1 - frame.x0)) / 2
    oy = mt + (ph - s * (frame.y1 - frame.y0)) / 2

    def px(x: float) -> float:
        return ox + (x - frame.x0) * s

    def py(y: float) -> float:  # north up
        return oy + (frame.y1 - y) * s

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'style="{FONT}; max-height: {height + 10}px" data-testid="map" role="img" aria-label="map of the region">'
    ]
    x_lo, x_hi, y_lo, y_hi = px(frame.x0), px(frame.x1), py(frame.y1), py(frame.y0)
    out.append(f'<rect x="{x_lo:.1f}" y="{y_lo:.1f}" width="{x_hi - x_lo:.1f}" height="{y_hi - y_lo:.1f}" fill="#fafafa" stroke="#bbb"/>')
    for t in nice_ticks(frame.x0, frame.x1, 5):
        out.append(f'<line x1="{px(t):.1f}" y1="{y_hi:.1f}" x2="{px(t):.1f}" y2="{y_hi + 4:.1f}" stroke="#666"/>')
        out.append(f'<text x="{px(t):.1f}" y="{y_hi + 14:.1f}" font-size="9" text-anchor="middle">{fmt_tick(t)}</text>')
    for t in nice_ticks(frame.y0, frame.y1, 4):
        out.append(f'<line x1="{x_lo - 4:.1f}" y1="{py(t):.1f}" x2="{x_lo:.1f}" y2="{py(t):.1f}" stroke="#666"/>')
        out.append(f'<text x="{x_lo - 6:.1f}" y="{py(t) + 3:.1f}" font-size="9" text-anchor="end">{fmt_tick(t)}</text>')
    out.append(f'<text x="{(x_lo + x_hi) / 2:.1f}" y="{height - 3}" font-size="10" text-anchor="middle">east (km)</text>')
    out.append(
        f'<text x="9" y="{(y_lo + y_hi) / 2:.1f}" font-size="10" text-anchor="middle" transform="rotate(-90 9 {(y_lo + y_hi) / 2:.1f})">north (km)</text>'
    )
    for m in model.municipalities:
        out.append(
            f'<text x="{px(m.x):.1f}" y="{py(m.y) - 9:.1f}" font-size="10" fill="#999" font-style="italic" text-anchor="middle">{escape(m.name)}</text>'
        )

    # exchanges: largest flow per resource sets the scale, so thickness compares like with like
    top: dict[str, float] = {}
    for ex in model.exchanges.values():
        top[ex.resource] = max(top.get(ex.resource, 0.0), ex.quantity)
    pair_count: dict[tuple[int, int], int] = {}
    lines = []
    for ex in model.live.values():
        a, b = model.firms[ex.supplier], model.firms[ex.receiver]
        key = (min(a.idx, b.idx), max(a.idx, b.idx))
        k = pair_count.get(key, 0)
        pair_count[key] = k + 1
        x1, y1, x2, y2 = px(a.x), py(a.y), px(b.x), py(b.y)
        # several exchanges between one pair bend apart instead of hiding each other
        bend = (k + 1) // 2 * (1 if k % 2 else -1) * 7.0
        dx, dy = x2 - x1, y2 - y1
        d = math.hypot(dx, dy) or 1.0
        cx, cy = (x1 + x2) / 2 - dy / d * bend, (y1 + y2) / 2 + dx / d * bend
        res = CATALOGUE[ex.resource]
        what = f"{res.label}: {a.name} → {b.name}, {ex.quantity:,.0f} {res.unit}/month"
        if ex.stage is Stage.OPERATING:
            wdt = 1.2 + 4.0 * math.sqrt(ex.quantity / top[ex.resource])
            style = f'stroke="{RESOURCE_COLOURS[ex.resource]}" stroke-width="{wdt:.1f}" stroke-opacity="0.85"'
            tag, label = "operating", f"{what} (operating)"
        elif ex.stage in PIPELINE:
            style = 'stroke="#888" stroke-width="1" stroke-dasharray="3 3"'
            tag, label = "pipeline", f"{what} ({ex.stage.value})"
        else:
            continue
        lines.append(
            f'<path d="M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}" fill="none" {style} '
            f'data-exchange="{tag}" data-resource="{ex.resource}"><title>{escape(label)}</title></path>'
        )
    # operating lines on top of pipeline lines
    lines.sort(key=lambda s: 'data-exchange="operating"' in s)
    out += lines

    tmax = max((f.turnover_sek_per_year for f in model.firms), default=1.0) or 1.0
    firms = sorted(model.firms, key=lambda f: (f.alive, -f.turnover_sek_per_year))  # big ones below small ones
    for f in firms:
        r = 3.0 + 9.0 * math.sqrt(f.turnover_sek_per_year / tmax)
        shape = shapes.get(f.sector, 0)
        if f.alive:
            attrs = f'fill="{ROLE_COLOURS[f.role.value]}" stroke="#222" stroke-width="0.8" data-firm="alive" data-role="{f.role.value}"'
            label = (
                f"{f.name}: {f.role.value}, {f.sector.replace('_', ' ')}; turnover {f.turnover_sek_per_year / 1e6:,.0f} MSEK/year; "
                f"{f.operating} exchanges operating"
            )
        else:
            attrs = 'fill="none" stroke="#aaa" stroke-width="1" stroke-dasharray="2 2" data-firm="exited"'
            label = f"{f.name}: {f.role.value}, {f.sector.replace('_', ' ')}; has left the region"
        out.append(f"<g><title>{escape(label)}</title>{marker(shape, px(f.x), py(f.y), r, attrs)}</g>")
        if f.alive and f.role.value == "anchor":
            out.append(f'<text x="{px(f.x) + r + 2:.1f}" y="{py(f.y) + 3:.1f}" font-size="9" fill="#222">{escape(f.name)}</text>')
    out.append("</svg>")
    return "".join(out)


def map_legend(model: SymbiosisModel, shapes: dict[str, int]) -> str:
    """HTML legend for roles, the sectors present and the resources flowing or in preparation."""
    rows = ['<div style="font-size: 10.5px; line-height: 1.3">', "<b>Role</b> (area = turnover)<br>"]
    for role, colour in ROLE_COLOURS.items():
        rows.append(f'<span style="color:{colour}">&#9679;</span> {role}<br>')
    resources = sorted({ex.resource for ex in model.live.values()}, key=list(CATALOGUE).index)
    rows.append("<b>Exchanges</b> (width = flow)<br>")
    for r in resources:
        rows.append(f'<span style="color:{RESOURCE_COLOURS[r]}; font-weight: bold">&#9473;&#9473;</span> {escape(CATALOGUE[r].label)}<br>')
    rows.append('<span style="color:#888">&#8211; &#8211;</span> being prepared<br>')
    rows.append('<span style="color:#aaa">&#9675;</span> firm has left<br>')
    sectors = sorted({f.sector for f in model.firms if f.alive})
    rows.append("<b>Sector</b><br>")
    for sec in sectors:
        svg = (
            f'<svg width="11" height="11" viewBox="-6 -6 12 12">{marker(shapes.get(sec, 0), 0, 0, 4.5, 'fill="none" stroke="#333"')}</svg>'
        )
        rows.append(f"{svg} {escape(sec.replace('_', ' '))}<br>")
    rows.append("</div>")
    return "".join(rows)


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
    ml, mr, mt, mb = 52, 16, 8, 30
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
        out.append(f'<text x="{ml - 4}" y="{py(v) + 3:.1f}" font-size="10" text-anchor="end">{fmt_tick(v)}</text>')
    span = t1 - t0
    step = 1 if span <= 8 else 2 if span <= 16 else 5 if span <= 40 else 10
    for yr in range(math.ceil(t0), math.floor(t1) + 1):
        if yr % step == 0:
            out.append(f'<line x1="{px(yr):.1f}" y1="{mt + ph}" x2="{px(yr):.1f}" y2="{mt + ph + 4}" stroke="#666"/>')
            out.append(f'<text x="{px(yr):.1f}" y="{mt + ph + 15}" font-size="10" text-anchor="middle">{yr}</text>')
    out.append(f'<line x1="{ml}" y1="{mt + ph}" x2="{ml + pw}" y2="{mt + ph}" stroke="#666"/>')
    out.append(f'<line x1="{ml}" y1="{mt}" x2="{ml}" y2="{mt + ph}" stroke="#666"/>')
    out.append(f'<text x="{ml + pw / 2:.1f}" y="{height - 2}" font-size="10" text-anchor="middle">year</text>')
    out.append(
        f'<text x="11" y="{mt + ph / 2:.1f}" font-size="10" text-anchor="middle" transform="rotate(-90 11 {mt + ph / 2:.1f})">{escape(ylabel)}</text>'
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
            f'<span style="white-space: nowrap; color:{PINNED_COLOUR}" data-testid="pinned-legend">&#8211; &#8211; pinned: {escape(pinned_label)}</span>'
        )
    return '<div style="font-size: 11px; line-height: 1.3">' + " ".join(items) + "</div>"
