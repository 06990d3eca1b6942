"""The map: firms, towns, facilitators and exchanges drawn as SVG, fitted to the cluster.

Sector is shown by colour (broad sector families in the Okabe-Ito palette, which stays distinct
for the common kinds of colour blindness) and role by shape, so every category reads apart. The
frame is fitted to where most actors are; an actor far outside it (a university an hour away)
is drawn at the frame's edge with its distance, instead of squeezing the cluster into a corner.
Labels are placed where they hit no marker and no other label; the rest are named on hover.
Every element a student can click carries ``data-actor`` ("firm:3", "exchange:12", ...).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from sim.core.exchange import PIPELINE, Stage
from sim.core.resources import CATALOGUE
from sim.dashboard import labels
from sim.dashboard.svg import FONT, fmt_tick, nice_ticks
from sim.run.palette import RESOURCE_COLOURS

if TYPE_CHECKING:
    from sim.core.exchange import Exchange
    from sim.core.model import SymbiosisModel

# Okabe & Ito (2008), "Color Universal Design": eight colours distinct under protan, deutan and tritan vision
FAMILIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "food and farming": (
        "#E69F00",
        ("agriculture", "food", "food_processing", "feed", "fishing", "greenhouse", "fish_farm", "shrimp_farm", "algae_farm"),
    ),
    "energy and fuels": (
        "#D55E00",
        ("energy", "chp", "power", "district_heating", "energy_services", "fuel_retail", "lpg", "hydrogen", "efuel"),
    ),
    "water, waste and biogas": ("#0072B2", ("water", "wastewater", "waste", "water_and_waste", "recycling", "biogas", "nutrient_recovery")),
    "chemicals and process": (
        "#CC79A7",
        (
            "chemicals",
            "chemicals_sme",
            "petrochemicals",
            "plastics",
            "industrial_gases",
            "fertiliser",
            "biorefinery",
            "battery",
            "batteries",
        ),
    ),
    "wood and paper": ("#009E73", ("wood", "wood_products", "sawmill", "pulp_paper", "pulp_biorefinery", "furniture")),
    "metal, minerals and building": (
        "#56B4E9",
        (
            "steel",
            "metal",
            "cement",
            "lime",
            "ceramics",
            "building_materials",
            "asphalt",
            "road_construction",
            "automotive",
            "manufacturing",
            "engineering",
            "textile",
        ),
    ),
    "services, research and transport": (
        "#F0E442",
        ("services", "it_services", "data_centre", "research", "logistics", "port", "rail_terminal", "trading", "tourism", "design_craft"),
    ),
}
OTHER_FAMILY, OTHER_COLOUR = "other", "#999999"
FAMILY_OF = {s: fam for fam, (_, sectors) in FAMILIES.items() for s in sectors}
ROLE_NAMES = {"anchor": "anchor firm", "utility": "municipal utility", "sme": "small or medium firm", "startup": "start-up"}
# role → unit polygon (None: a circle)
ROLE_SHAPES: dict[str, list[tuple[float, float]] | None] = {
    "anchor": [(-0.9, -0.9), (0.9, -0.9), (0.9, 0.9), (-0.9, 0.9)],
    "utility": [(0, -1.25), (1.25, 0), (0, 1.25), (-1.25, 0)],
    "sme": None,
    "startup": [(0, -1.25), (1.15, 0.85), (-1.15, 0.85)],
}
STAR = [
    (math.cos(a) * (1.25 if k % 2 == 0 else 0.55), math.sin(a) * (1.25 if k % 2 == 0 else 0.55))
    for k, a in ((k, -math.pi / 2 + k * math.pi / 5) for k in range(10))
]
WIDTH = 800
ML, MR, MT, MB = 44, 12, 12, 38


def family(sector: str) -> str:
    return FAMILY_OF.get(sector, OTHER_FAMILY)


def family_colour(sector: str) -> str:
    fam = family(sector)
    return FAMILIES[fam][0] if fam in FAMILIES else OTHER_COLOUR


def shape(poly: list[tuple[float, float]] | None, cx: float, cy: float, r: float, attrs: str) -> str:
    if poly is None:
        return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" {attrs}/>'
    pts = " ".join(f"{cx + x * r:.1f},{cy + y * r:.1f}" for x, y in poly)
    return f'<polygon points="{pts}" {attrs}/>'


@dataclass(frozen=True)
class MapFrame:
    """The visible window of the region in km, fixed for a run so the map does not jump."""

    x0: float
    y0: float
    x1: float
    y1: float

    def holds(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1


def map_frame(model: SymbiosisModel) -> MapFrame:
    """Frame where most actors are: a point far beyond the typical spread is left to the edge.

    Start-ups settle on plots near hubs, so the plots are framed too and the frame holds for the
    whole run. Points more than three times the 75th-percentile distance from the median centre
    (and over 3 km away) are "far" and drawn at the edge, unless they are over a third of all.
    """
    pts = [(f.x, f.y) for f in model.firms] + [(m.x, m.y) for m in model.municipalities]
    pts += [(p.x, p.y) for m in model.municipalities for p in m.plots]
    xs, ys = sorted(x for x, _ in pts), sorted(y for _, y in pts)
    cx, cy = xs[len(xs) // 2], ys[len(ys) // 2]
    dist = sorted(math.hypot(x - cx, y - cy) for x, y in pts)
    limit = max(3.0 * dist[(3 * len(dist)) // 4], 3.0)
    near = [(x, y) for x, y in pts if math.hypot(x - cx, y - cy) <= limit]
    if len(pts) - len(near) > len(pts) / 3:
        near = pts
    lo_x, hi_x = min(x for x, _ in near), max(x for x, _ in near)
    lo_y, hi_y = min(y for _, y in near), max(y for _, y in near)
    pad = max(0.5, 0.08 * max(hi_x - lo_x, hi_y - lo_y))
    return MapFrame(lo_x - pad, lo_y - pad, hi_x + pad, hi_y + pad)


class Projection:
    """km → SVG units, north up, the frame's aspect kept; the height follows the frame's shape."""

    def __init__(self, frame: MapFrame) -> None:
        self.frame = frame
        fw, fh = max(frame.x1 - frame.x0, 1e-9), max(frame.y1 - frame.y0, 1e-9)
        pw = WIDTH - ML - MR
        ph = min(max(pw * fh / fw, 380.0), 600.0)
        self.height = ph + MT + MB
        self.s = min(pw / fw, ph / fh)
        self.ox = ML + (pw - self.s * fw) / 2
        self.oy = MT + (ph - self.s * fh) / 2
        self.box = (ML, MT, ML + pw, MT + ph)

    def __call__(self, x: float, y: float) -> tuple[float, float]:
        return self.ox + (x - self.frame.x0) * self.s, self.oy + (self.frame.y1 - y) * self.s

    def clamp(self, x: float, y: float) -> tuple[float, float, float | None]:
        """The point, or for a point outside the frame where the line from the centre leaves it, and the distance in km."""
        if self.frame.holds(x, y):
            return (*self(x, y), None)
        f = self.frame
        cx, cy = (f.x0 + f.x1) / 2, (f.y0 + f.y1) / 2
        dx, dy = x - cx, y - cy
        inset = 14 / self.s
        tx = ((f.x1 - inset - cx) / dx if dx > 0 else (f.x0 + inset - cx) / dx) if dx else math.inf
        ty = ((f.y1 - inset - cy) / dy if dy > 0 else (f.y0 + inset - cy) / dy) if dy else math.inf
        t = min(tx, ty)
        ex, ey = cx + dx * t, cy + dy * t
        return (*self(ex, ey), math.hypot(x - ex, y - ey))


def positions(model: SymbiosisModel, proj: Projection) -> dict[str, tuple[float, float, float | None]]:
    """Where each firm ("firm:i") and town ("municipality:i") is drawn, and how far beyond the edge.

    Actors outside the frame sit on its edge where the line from the centre leaves it, spread
    along the edge so that several far actors (another town's firms) do not hide each other.
    """
    out = {f"firm:{f.idx}": proj.clamp(f.x, f.y) for f in model.firms}
    out |= {f"municipality:{m.idx}": proj.clamp(m.x, m.y) for m in model.municipalities}
    bx0, by0, bx1, by1 = proj.box
    sides: dict[str, list[str]] = {}
    for key, (x, y, far) in out.items():
        if far is not None:
            side = min((abs(x - bx0), "w"), (abs(x - bx1), "e"), (abs(y - by0), "n"), (abs(y - by1), "s"))[1]
            sides.setdefault(side, []).append(key)
    gap = 30.0  # two of the largest markers side by side
    for side, keys in sides.items():
        along = 1 if side in "we" else 0  # the coordinate that runs along this edge
        lo, hi = (by0 + 14, by1 - 14) if along else (bx0 + 14, bx1 - 14)
        keys.sort(key=lambda k: (out[k][along], k))
        spots = [out[k][along] for k in keys]
        for i in range(1, len(spots)):  # push apart downwards, then back inside from the far end
            spots[i] = max(spots[i], spots[i - 1] + gap)
        if spots and spots[-1] > hi:
            spots[-1] = hi
            for i in range(len(spots) - 2, -1, -1):
                spots[i] = min(spots[i], spots[i + 1] - gap)
        for k, v in zip(keys, spots, strict=True):
            x, y, far = out[k]
            v = min(max(v, lo), hi)
            out[k] = (x, v, far) if along else (v, y, far)
    return out


def _when(model: SymbiosisModel, step: int | None) -> str:
    if not step:
        return "the start"
    year, month = model.date_of(step)
    return f"{labels.month_label(year, month)}"


def exchange_title(model: SymbiosisModel, ex: Exchange) -> str:
    """Hover text of an exchange line: resource, flow, since when, trust."""
    from sim.mechanisms import trust

    a, b = model.firms[ex.supplier], model.firms[ex.receiver]
    res = CATALOGUE.get(ex.resource)
    name, unit = (res.label, res.unit) if res else (ex.resource, "units")
    flow = f"{ex.quantity:,.0f} {unit}/month"
    if ex.stage is Stage.OPERATING:
        since = f"flowing since {_when(model, ex.operating_since)}"
    else:
        since = f"{labels.STAGE_WORDS[ex.stage.value]} (talks since {_when(model, ex.discovered_step)})"
    return f"{name}: {a.name} → {b.name}; {flow}; {since}; trust {trust.level(model, a, b):.2f}"


def map_svg(model: SymbiosisModel, frame: MapFrame) -> str:
    """The map at this step: towns, facilitators, exchange lines, then firms on top, then labels."""
    proj = Projection(frame)
    h = proj.height
    bx0, by0, bx1, by1 = proj.box
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {h:.0f}" width="100%" '
        f'style="{FONT}; display: block" data-testid="map" role="img" aria-label="map of the region">',
        f'<rect x="{bx0}" y="{by0}" width="{bx1 - bx0}" height="{by1 - by0:.1f}" fill="#fafafa" stroke="#bbb" data-testid="map-plot"/>',
    ]
    for t in nice_ticks(frame.x0, frame.x1, 6):
        x, _ = proj(t, frame.y0)
        if bx0 <= x <= bx1:
            out.append(f'<line x1="{x:.1f}" y1="{by1:.1f}" x2="{x:.1f}" y2="{by1 + 4:.1f}" stroke="#666"/>')
            out.append(f'<text x="{x:.1f}" y="{by1 + 17:.1f}" font-size="12" text-anchor="middle" class="tick">{fmt_tick(t)}</text>')
    for t in nice_ticks(frame.y0, frame.y1, 5):
        _, y = proj(frame.x0, t)
        if by0 <= y <= by1:
            out.append(f'<line x1="{bx0 - 4}" y1="{y:.1f}" x2="{bx0}" y2="{y:.1f}" stroke="#666"/>')
            out.append(f'<text x="{bx0 - 6}" y="{y + 4:.1f}" font-size="12" text-anchor="end" class="tick">{fmt_tick(t)}</text>')
    out.append(f'<text x="{(bx0 + bx1) / 2:.1f}" y="{h - 4:.1f}" font-size="12" text-anchor="middle">east (km)</text>')
    mid = (by0 + by1) / 2
    out.append(f'<text x="12" y="{mid:.1f}" font-size="12" text-anchor="middle" transform="rotate(-90 12 {mid:.1f})">north (km)</text>')

    pos = positions(model, proj)
    placer = labels.Placer((bx0, by0, bx1, by1))
    wanted: list[tuple[int, float, float, float, str, str]] = []  # (priority, x, y, r, text, style)
    for m in model.municipalities:
        x, y, far = pos[f"municipality:{m.idx}"]
        placer.block(x, y, 6)
        out.append(
            f'<g data-actor="municipality:{m.idx}" style="cursor: pointer"><title>{escape(m.name)}: municipality (click for details)</title>'
            f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="white" stroke="#555" stroke-width="1.5" transform="rotate(45 {x:.1f} {y:.1f})"/></g>'
        )
        text = m.name + ("" if far is None else f" ({far:.0f} km off the map)")
        wanted.append((0, x, y, 7, text, 'fill="#555" font-style="italic" font-size="13"'))
    alive_in = [0] * len(model.municipalities)
    for f in model.firms:
        if f.alive and 0 <= f.municipality < len(alive_in):
            alive_in[f.municipality] += 1
    mid_x, mid_y = (bx0 + bx1) / 2, (by0 + by1) / 2
    for fac in model.facilitators:
        if not fac.municipalities:
            continue
        home = max(fac.municipalities, key=lambda i: (pos[f"municipality:{i}"][2] is None, alive_in[i], -i))  # its busiest town in view
        x, y, far = pos[f"municipality:{home}"]
        if far is None:
            x, y = x + 16, y - 14
        else:  # a town at the edge: the star goes inwards, clear of the actors lined up along the edge
            d = math.hypot(mid_x - x, mid_y - y) or 1.0
            x, y = x + (mid_x - x) / d * 34, y + (mid_y - y) / d * 34
        placer.block(x, y, 9)
        out.append(
            f'<g data-actor="facilitator:{fac.idx}" style="cursor: pointer"><title>{escape(fac.name)}: facilitator, engagement '
            f"{fac.engagement:.2f} (click for details)</title>{shape(STAR, x, y, 9, 'fill="#fff" stroke="#000" stroke-width="1.3"')}</g>"
        )
        wanted.append((1, x, y, 9, fac.name, 'fill="#000" font-size="12"'))

    out += _exchange_lines(model, pos)

    tmax = max((f.turnover_sek_per_year for f in model.firms), default=1.0) or 1.0
    for f in sorted(model.firms, key=lambda f: (f.alive, -f.turnover_sek_per_year)):  # big ones below small ones
        r = 5.0 + 8.0 * math.sqrt(f.turnover_sek_per_year / tmax)
        x, y, far = pos[f"firm:{f.idx}"]
        placer.block(x, y, r)
        sector = f.sector.replace("_", " ")
        role = ROLE_NAMES.get(f.role.value, f.role.value)
        if f.alive:
            attrs = (
                f'fill="{family_colour(f.sector)}" stroke="#222" stroke-width="1" data-firm="alive" data-role="{f.role.value}" '
                f'data-family="{escape(family(f.sector))}"'
            )
            tip = f"{f.name}: {role}, {sector}; {f.operating} exchanges operating (click for details)"
        else:
            attrs = 'fill="white" fill-opacity="0.6" stroke="#999" stroke-width="1.2" stroke-dasharray="2 2" data-firm="exited"'
            tip = f"{f.name}: {role}, {sector}; has left the region (click for details)"
        if far is not None:
            tip += f"; {far:.0f} km beyond the edge of the map"
        out.append(
            f'<g data-actor="firm:{f.idx}" style="cursor: pointer"><title>{escape(tip)}</title>{shape(ROLE_SHAPES.get(f.role.value), x, y, r, attrs)}</g>'
        )
        if far is not None:
            wanted.append((1, x, y, r, f"{f.name} ({far:.0f} km off the map)", 'fill="#333" font-size="12"'))
        elif f.alive and f.role.value in ("anchor", "utility"):
            wanted.append((2, x, y, r, f.name, 'fill="#111" font-size="12"'))
        elif f.alive and (f.operating or len(model.firms) <= 60):  # in a crowded region only firms that exchange
            wanted.append((3 + (f.operating == 0), x, y, r, f.name, 'fill="#333" font-size="11"'))
    for _, x, y, r, text, style in sorted(wanted, key=lambda w: w[0]):
        size = float(style.rsplit('font-size="', 1)[1].split('"')[0])
        spot = placer.place(x, y, r, text, size)
        if spot is not None:
            tx, ty, anchor = spot
            out.append(
                f'<text x="{tx:.1f}" y="{ty:.1f}" text-anchor="{anchor}" {style} data-label="1" pointer-events="none">{escape(text)}</text>'
            )
    out.append("</svg>")
    return "".join(out)


def _exchange_lines(model: SymbiosisModel, pos: dict[str, tuple[float, float, float | None]]) -> list[str]:
    """Operating exchanges solid, coloured by resource, wider for larger flows; deals in preparation thin and dashed."""
    top: dict[str, float] = {}
    for ex in model.live.values():
        top[ex.resource] = max(top.get(ex.resource, 0.0), ex.quantity)
    pair_count: dict[tuple[int, int], int] = {}
    lines = []
    for ex in model.live.values():
        if ex.stage is not Stage.OPERATING and ex.stage not in PIPELINE:
            continue
        a, b = model.firms[ex.supplier], model.firms[ex.receiver]
        key = (min(a.idx, b.idx), max(a.idx, b.idx))
        k = pair_count.get(key, 0)
        pair_count[key] = k + 1
        x1, y1, _ = pos[f"firm:{a.idx}"]
        x2, y2, _ = pos[f"firm:{b.idx}"]
        bend = (k + 1) // 2 * (1 if k % 2 else -1) * 10.0  # several exchanges of one pair bend apart
        dx, dy = x2 - x1, y2 - y1
        d = math.hypot(dx, dy) or 1.0
        cx, cy = (x1 + x2) / 2 - dy / d * bend, (y1 + y2) / 2 + dx / d * bend
        path = f"M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}"
        if ex.stage is Stage.OPERATING:
            wdt = 2.0 + 5.0 * math.sqrt(ex.quantity / (top[ex.resource] or 1.0))
            style = f'stroke="{RESOURCE_COLOURS.get(ex.resource, "#555")}" stroke-width="{wdt:.1f}" stroke-opacity="0.85"'
            tag = "operating"
        else:
            style, tag = 'stroke="#777" stroke-width="1.5" stroke-dasharray="4 3"', "pipeline"
        lines.append(
            (
                tag == "operating",
                f'<g data-actor="exchange:{ex.id}" style="cursor: pointer"><title>{escape(exchange_title(model, ex))}</title>'
                f'<path d="{path}" fill="none" stroke="transparent" stroke-width="12"/>'
                f'<path d="{path}" fill="none" {style} data-exchange="{tag}" data-resource="{ex.resource}"/></g>',
            )
        )
    lines.sort(key=lambda t: t[0])  # operating lines over those in preparation
    return [s for _, s in lines]


def map_legend(model: SymbiosisModel, sectors: list[str]) -> str:
    """HTML legend: roles by shape, sector families by colour (with their sectors), exchange lines."""

    def icon(poly: list[tuple[float, float]] | None, fill: str, stroke: str = "#222") -> str:
        return f'<svg width="16" height="16" viewBox="-8 -8 16 16" style="vertical-align: -3px">{shape(poly, 0, 0, 5.5, f'fill="{fill}" stroke="{stroke}"')}</svg>'

    rows = ['<div style="font-size: 13px; line-height: 1.45" data-testid="map-legend">', "<b>Shape: role</b> (size = turnover)<br>"]
    for role, poly in ROLE_SHAPES.items():
        rows.append(f"{icon(poly, 'white')} {ROLE_NAMES[role]}<br>")
    rows.append(f"{icon(None, 'white', '#999')} dashed: has left the region<br>")
    rows.append(f"{icon([(0, -1), (1, 0), (0, 1), (-1, 0)], 'white', '#555')} town (municipality)<br>")
    if model.facilitators:
        rows.append(f"{icon(STAR, 'white', '#000')} facilitator<br>")
    rows.append("<b>Colour: sector</b><br>")
    present: dict[str, list[str]] = {}
    for s in sorted(set(sectors)):
        present.setdefault(family(s), []).append(s.replace("_", " "))
    for fam in [*FAMILIES, OTHER_FAMILY]:
        if fam in present:
            colour = FAMILIES[fam][0] if fam in FAMILIES else OTHER_COLOUR
            members = ", ".join(present[fam])
            rows.append(
                f'<div data-family="{escape(fam)}">{icon(None, colour)} <b>{escape(fam)}</b>: <span style="color: #444">{escape(members)}</span></div>'
            )
    rows.append("<b>Lines: exchanges</b> (width = flow)<br>")
    for r in sorted({ex.resource for ex in model.live.values() if ex.stage is Stage.OPERATING}, key=list(CATALOGUE).index):
        rows.append(f'<span style="color:{RESOURCE_COLOURS[r]}; font-weight: bold">&#9473;&#9473;</span> {escape(CATALOGUE[r].label)}<br>')
    rows.append('<span style="color:#777">&#8211; &#8211;</span> being negotiated, permitted, financed or built<br>')
    rows.append("</div>")
    return "".join(rows)
