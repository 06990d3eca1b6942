"""The dashboard's pieces without a browser: settings, map, feed, charts, explanations, command.

The browser tests (tests/browser/) check the page end to end; these check the rules behind it
quickly and with real models.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import itertools
import math
import re
import socket
from html import unescape

import pytest
from typer.testing import CliRunner

from sim import config
from sim.cli import app
from sim.config.history import all_firms
from sim.core.events import EventKind
from sim.core.exchange import Stage
from sim.core.resources import CATALOGUE
from sim.dashboard import actor, explain, export, feed, labels, mapsvg, plain, svg, tour
from sim.dashboard.scenario import (
    EXAMPLE_KEY,
    LEVERS,
    SYNTHETIC_KEY,
    DashboardModel,
    build_config,
    case_config,
    changes,
    list_cases,
    settings_for_case,
)
from sim.mechanisms import REGISTRY
from sim.run.palette import RESOURCE_COLOURS


def run(settings, steps: int) -> DashboardModel:
    m = DashboardModel(settings)
    for _ in range(steps):
        m.step()
    return m


@pytest.fixture(scope="module")
def example_run() -> DashboardModel:
    return run(settings_for_case(EXAMPLE_KEY), 120)


# ----- settings ------------------------------------------------------------------------------------
def test_picker_offers_example_synthetic_region_and_every_library_case() -> None:
    cases = list_cases()
    keys = [c.key for c in cases]
    assert keys[:2] == [EXAMPLE_KEY, SYNTHETIC_KEY]
    library = sorted(p.stem for p in (config.CONFIGS / "cases").glob("*.yaml"))
    assert sorted(keys[2:]) == library
    assert len({c.label for c in cases}) == len(cases), "labels must tell cases apart"


@pytest.mark.parametrize("key", [c.key for c in list_cases()])
def test_picking_a_case_gives_that_case_unchanged(key: str) -> None:
    """The case's own levers and switches come along, so nothing is silently overridden."""
    s = settings_for_case(key)
    assert build_config(s).model_dump() == case_config(key).model_dump()
    assert changes(s) == []


def test_a_moved_lever_changes_only_that_lever() -> None:
    base = settings_for_case(EXAMPLE_KEY)
    moved = base.with_policy("permit_time_factor", 2.5).with_mechanism("trust", False)
    cfg, ref = build_config(moved), case_config(EXAMPLE_KEY)
    assert cfg.policy.permit_time_factor == 2.5
    assert cfg.mechanisms.trust is False
    assert cfg.policy.model_dump(exclude={"permit_time_factor"}) == ref.policy.model_dump(exclude={"permit_time_factor"})
    assert changes(moved) == ["permit and plan durations 2.5 × normal", "trust off"]


def test_every_policy_lever_control_has_unit_and_source() -> None:
    """That every lever has a control at all is asserted where LEVERS is built (sim/dashboard/scenario.py)."""
    for lv in LEVERS:
        assert lv.description and lv.source
        assert lv.kind == "switch" or lv.unit, f"{lv.name} needs a unit on screen"


def test_an_invalid_lever_value_is_a_clear_config_error() -> None:
    bad = settings_for_case(EXAMPLE_KEY).with_policy("permit_time_factor", 0.0)
    with pytest.raises(config.ConfigError) as err:
        DashboardModel(bad)
    assert any("policy.permit_time_factor" in p and "allowed" in p for p in err.value.problems)


def test_same_settings_same_run_and_the_lever_matters() -> None:
    base = settings_for_case(EXAMPLE_KEY)
    a, b = run(base, 96), run(base, 96)
    assert a.collector.frame().equals(b.collector.frame()), "same settings, same run (NaN trust before any exchange compares equal)"
    no_funding_gap = run(base.with_policy("funding_gap_months", 0).with_policy("facilitator_base_funding_sek_per_year", 2e6), 96)
    assert no_funding_gap.collector.data["public_funding_sek"] != a.collector.data["public_funding_sek"]


# ----- map -----------------------------------------------------------------------------------------
def test_map_shows_every_firm_and_live_exchange(example_run: DashboardModel) -> None:
    m = example_run
    doc = mapsvg.map_svg(m, mapsvg.map_frame(m))
    operating = [ex for ex in m.live.values() if ex.stage is Stage.OPERATING]
    assert operating, "the example should have operating exchanges after ten years"
    assert doc.count('data-firm="alive"') == m.n_alive
    assert doc.count('data-firm="exited"') == len(m.firms) - m.n_alive
    assert doc.count('data-exchange="operating"') == len(operating)
    for ex in operating:
        assert re.search(rf'stroke="{RESOURCE_COLOURS[ex.resource]}"[^>]*data-exchange="operating" data-resource="{ex.resource}"', doc)
        assert f'data-actor="exchange:{ex.id}"' in doc, "every exchange line can be clicked"
    for f in m.firms:
        assert f"<title>{f.name}:" in doc.replace("&amp;", "&"), f"{f.name} needs a hover label"
        assert f'data-actor="firm:{f.idx}"' in doc


def test_exchange_lines_say_resource_flow_since_when_and_trust(example_run: DashboardModel) -> None:
    m = example_run
    ex = next(ex for ex in m.live.values() if ex.stage is Stage.OPERATING)
    title = mapsvg.exchange_title(m, ex)
    unit = CATALOGUE[ex.resource].unit
    year, month = m.date_of(ex.operating_since)
    assert title.startswith(f"{CATALOGUE[ex.resource].label}: {m.firms[ex.supplier].name} → {m.firms[ex.receiver].name}")
    assert f"{ex.quantity:,.0f} {unit}/month" in title
    assert f"flowing since {feed.month_label(year, month)}" in title
    assert re.search(r"trust [01]\.\d\d$", title)


def test_far_actors_sit_at_the_edge_with_their_distance_and_the_cluster_fills_the_map() -> None:
    """Bjuv's SLU Alnarp lies ~30 km from the cluster: the frame leaves it out and the edge names its distance."""
    m = DashboardModel(settings_for_case("A13_bjuv"))
    frame = mapsvg.map_frame(m)
    far = [f for f in m.firms if not frame.holds(f.x, f.y)]
    assert "SLU Alnarp" in {f.name for f in far}
    w, h = m.config.area_km
    assert (frame.x1 - frame.x0) * (frame.y1 - frame.y0) < 0.5 * w * h, "the frame is fitted to the cluster, not the region"
    proj = mapsvg.Projection(frame)
    pos = mapsvg.positions(m, proj)
    bx0, by0, bx1, by1 = proj.box
    for f in far:
        x, y, km = pos[f"firm:{f.idx}"]
        assert km is not None and km > 0
        assert bx0 <= x <= bx1 and by0 <= y <= by1, f"{f.name} is drawn inside the plot"
    spots = sorted((pos[f"firm:{f.idx}"][0], pos[f"firm:{f.idx}"][1]) for f in far)
    assert all(math.dist(a, b) >= 20 for a, b in itertools.combinations(spots, 2)), "far actors do not hide each other"
    doc = mapsvg.map_svg(m, frame)
    assert "SLU Alnarp (" in doc and "km off the map)" in doc


@pytest.mark.parametrize("key", [c.key for c in list_cases()])
def test_every_firm_is_drawn_inside_the_plot_for_the_whole_run(key: str) -> None:
    """The frame is fixed at the start; a firm outside it (far, or arriving later) is drawn at the edge."""
    m = DashboardModel(settings_for_case(key))
    proj = mapsvg.Projection(mapsvg.map_frame(m))
    for _ in range(min(m.horizon, 60)):
        m.step()
    bx0, by0, bx1, by1 = proj.box
    for key_, (x, y, _) in mapsvg.positions(m, proj).items():
        assert bx0 <= x <= bx1 and by0 <= y <= by1, key_


def test_every_sector_has_a_colour_family_and_every_role_its_own_shape() -> None:
    sectors = {f.sector for c in list_cases() for _, f, _ in all_firms(case_config(c.key))}
    assert {s for s in sectors if mapsvg.family(s) == mapsvg.OTHER_FAMILY} == set()
    colours = [c for c, _ in mapsvg.FAMILIES.values()]
    assert len(set(colours)) == len(colours) and set(colours) <= {
        "#E69F00",
        "#56B4E9",
        "#009E73",
        "#F0E442",
        "#0072B2",
        "#D55E00",
        "#CC79A7",
    }
    shapes = [str(p) for p in mapsvg.ROLE_SHAPES.values()]
    assert len(set(shapes)) == len(shapes) == 4


def test_labels_never_overlap_each_other_or_markers() -> None:
    placer = labels.Placer((0, 0, 400, 300))
    for i in range(30):  # a crowd of markers around one point
        placer.block(200 + (i % 5) * 6, 150 + (i // 5) * 6, 4)
    placed = [placer.place(200 + (i % 5) * 6, 150 + (i // 5) * 6, 4, f"Firm number {i}", 12) for i in range(30)]
    assert any(placed) and not all(placed), "some labels fit, the rest are left to hover"
    boxes = placer.placed
    assert all(not labels._overlap(a, b) for a, b in itertools.combinations(boxes, 2))
    assert all(not labels._overlap(b, m) for b in boxes for m in placer.markers)


# ----- event feed ----------------------------------------------------------------------------------
def test_feed_tells_a_firm_exit_in_plain_words(example_run: DashboardModel) -> None:
    m = run(settings_for_case(EXAMPLE_KEY), 120)
    firm = max((f for f in m.firms if f.alive), key=lambda f: f.operating)
    n = firm.operating
    assert n > 0
    m.remove_firm(firm, "scheduled")
    year, month = m.date_of(m.steps)
    newest = feed.lines(m)[0][1]
    assert (
        newest
        == f"{feed.month_label(year, month)}: {firm.name} exits (as in the case history); {n} exchange{'s end' if n > 1 else ' ends'}"
    )
    assert not any("a partner left" in text for _, text in feed.lines(m)), "ending by exit is told once, in the exit line"


def test_feed_hides_deal_steps_unless_asked(example_run: DashboardModel) -> None:
    short = [t for _, t in feed.lines(example_run, limit=1000)]
    full = [t for _, t in feed.lines(example_run, detail=True, limit=1000)]
    assert not any("Talks begin" in t for t in short)
    assert any("Talks begin" in t for t in full)
    assert len(full) > len(short)
    assert all(re.match(r"[A-Z][a-z]{2} \d{4}: [A-Z]", t) for t in full)


def test_feed_tells_the_same_failure_once_a_month_with_its_count(example_run: DashboardModel) -> None:
    m = run(settings_for_case(EXAMPLE_KEY), 24)
    fields = {"supplier": "A", "receiver": "B", "resource": "heat", "reason": "negotiation_failed", "was_operating": False}
    m.log(EventKind.EXCHANGE_ENDED, **fields)
    m.log(EventKind.EXCHANGE_ENDED, **fields)
    texts = [t for _, t in feed.lines(m)]
    assert len(texts) == len(set(texts)), "no line twice"
    assert texts[0].endswith("is dropped: the talks failed (twice)")


# ----- charts --------------------------------------------------------------------------------------
def test_chart_breaks_lines_at_missing_values_and_draws_the_pinned_run() -> None:
    t = [2020 + i / 12 for i in range(6)]
    doc = svg.chart_svg(
        t,
        [svg.Series("trust", [0.5, 0.6, math.nan, math.nan, 0.4, 0.3], "#000")],
        t_range=(2020, 2021),
        ylabel="trust (0-1)",
        testid="c",
        pinned=[(t, [0.1] * 6, "pinned")],
        y_max=1.0,
    )
    assert doc.count('data-series="trust"') == 2
    assert doc.count("data-pinned") == 1
    assert "trust (0-1)" in doc and ">year<" in doc


@pytest.mark.parametrize(("lo", "hi"), [(0, 1), (0, 7.3), (2008, 2031), (0, 12345)])
def test_ticks_are_round_and_inside(lo: float, hi: float) -> None:
    ticks = svg.nice_ticks(lo, hi)
    assert 2 <= len(ticks) <= 8
    assert all(lo <= v <= hi for v in ticks)
    steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1
    step = steps.pop()
    assert round(step / 10 ** math.floor(math.log10(step)), 9) in (1, 2, 2.5, 5)


# ----- explanations --------------------------------------------------------------------------------
def test_explanation_covers_every_mechanism_with_units_and_sources() -> None:
    mechs = explain.mechanisms(case_config(EXAMPLE_KEY))
    assert [m.name for m in mechs] == [m.name for m in REGISTRY]
    for m in mechs:
        assert m.title and m.body, m.name
        for p in m.params:
            assert p.unit and p.source and p.description, f"{m.name}.{p.name}"
        html = explain.mechanism_html(m, True)
        assert html.count("<tr") == len(m.params) + (1 if m.params else 0)
    by_name = {m.name: m for m in mechs}
    assert "funding_gap_months" in by_name["project_funding"].levers
    assert "eed_heat_mandate" in by_name["eed_mandate"].levers


def test_explanations_are_in_plain_words_with_the_reports_example_and_patterns_spelled_out() -> None:
    for m in explain.mechanisms(case_config(EXAMPLE_KEY)):
        html = explain.mechanism_html(m, True)
        assert m.plain_title and m.what and m.example, f"{m.name} needs a student's text"
        for jargon in ("params.", "spatial ind", "cKDTree", "(pattern P", "_"):
            assert jargon not in m.plain_title + m.what, f"{m.name}: {jargon!r}"
        for p in m.patterns:
            assert f"{plain.PATTERNS[p]} ({p})" in unescape(html)
        assert re.search(r"§\d|A\d+|\(\d{4}\)|directive|Tillväxtanalys", m.example), f"{m.name}: the example names its source"
    assert explain.mechanisms(case_config(EXAMPLE_KEY))[3].patterns == ("P1",)  # firm_exit


# ----- the student's tools: actor panel, CSV, tour, pins ------------------------------------------
def test_clicking_a_firm_shows_role_streams_exchanges_trust_permits_and_money(example_run: DashboardModel) -> None:
    m = example_run
    firm = max((f for f in m.firms if f.alive), key=lambda f: f.operating)
    html = actor.panel_html(m, f"firm:{firm.idx}")
    for section in ("Streams it can give away", "Needs", "Exchanges and negotiations", "Trust in its partners", "Permits", "Public money"):
        assert section in html
    for ex_id in firm.exchanges:
        ex = m.exchanges[ex_id]
        partner = m.firms[ex.receiver if ex.supplier == firm.idx else ex.supplier]
        assert partner.name.replace("&", "&amp;") in html
    assert mapsvg.ROLE_NAMES[firm.role.value] in html


@pytest.mark.parametrize("kind", ["municipality:0", "facilitator:0", "exchange:0"])
def test_towns_facilitators_and_exchanges_have_a_panel(example_run: DashboardModel, kind: str) -> None:
    html = actor.panel_html(example_run, kind)
    assert "<table" in html and "not in this run" not in html


def test_an_unknown_actor_is_told_not_raised(example_run: DashboardModel) -> None:
    assert "not in this run" in actor.panel_html(example_run, "firm:9999")
    assert actor.PROMPT in actor.panel_html(example_run, None)


def test_csv_holds_every_month_and_every_event(example_run: DashboardModel) -> None:
    months = list(csv.reader(io.StringIO(export.timeseries_csv(example_run).decode())))
    events = list(csv.reader(io.StringIO(export.events_csv(example_run).decode())))
    assert len(months) == 1 + example_run.steps and months[0][: len(example_run.collector.data)] == list(example_run.collector.data)
    assert len(events) == 1 + len(example_run.events) and events[0][-1] == "in_words"


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_bjuv_tour_is_true_on_every_seed(seed: int) -> None:
    """The tour says Findus leaves in June 2017: the feed says so in that month on seeds 1-5."""
    s = dataclasses.replace(settings_for_case("A13_bjuv"), seed=seed)
    m = DashboardModel(s)
    t = tour.tour_for(s.case, m.config)
    assert t is not None and t.firm == "Findus Bjuv" and t.when == "Jun 2017"
    assert "Watch what happens in Jun 2017" in t.watch
    for _ in range(t.step - 1):
        m.step()
    assert m.by_name["Findus Bjuv"].alive, "still there the month before"
    m.step()
    assert not m.by_name["Findus Bjuv"].alive
    june = [text for step, text in feed.lines(m) if step == t.step]
    assert any(text.startswith("Jun 2017: Findus Bjuv exits (as in the case history)") for text in june), june


def test_changing_the_case_clears_the_pin_and_the_same_case_keeps_it() -> None:
    from sim.dashboard import state
    from sim.dashboard.view import Pinned

    state.apply(settings_for_case(EXAMPLE_KEY))
    state.pinned.value = Pinned("run", [2015.0], {"active_exchanges": [0.0]})
    state.apply(settings_for_case(EXAMPLE_KEY).with_policy("funding_gap_months", 3))
    assert state.pinned.value is not None, "a lever on the same case keeps the pin to compare"
    state.apply(settings_for_case("A13_bjuv"))
    assert state.pinned.value is None and state.notice.value and "cleared" in state.notice.value
    assert state.model.value.settings.case == "A13_bjuv"


# ----- command -------------------------------------------------------------------------------------
def test_dashboard_command_refuses_a_busy_port_with_a_clear_message() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        result = CliRunner().invoke(app, ["dashboard", "--port", str(port)])
    assert result.exit_code == 2
    assert f"--port {port}: cannot listen" in result.output
    assert "Traceback" not in result.output


def test_dashboard_command_refuses_an_impossible_port() -> None:
    result = CliRunner().invoke(app, ["dashboard", "--port", "70000"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


# ----- what the page copies from the model ---------------------------------------------------------
def test_view_is_a_consistent_copy_of_the_model(example_run: DashboardModel) -> None:
    from sim.dashboard import app as page_app

    m = example_run
    v = page_app.snapshot(m, mapsvg.map_frame(m), [f.sector for f in m.firms], f"firm:{m.firms[0].idx}")
    assert v.step == m.steps == len(v.t)
    assert m.firms[0].name.replace("&", "&amp;") in v.panel and v.finished is (not m.running)
    assert {len(col) for col in v.data.values()} == {m.steps}
    assert v.columns["co2_avoided_kt"][-1] * 1000 == pytest.approx(sum(m.collector.data["co2_avoided_t"]))
    assert v.columns["active_exchanges"][-1] == sum(1 for ex in m.live.values() if ex.stage is Stage.OPERATING)
    m.collector.data["active_exchanges"].append(99)  # a copy: later steps do not change a pinned view
    assert v.data["active_exchanges"][-1] != 99
    m.collector.data["active_exchanges"].pop()
    pin = page_app.Pinned("run", v.t, v.columns)
    assert pin.at(1, "firms_alive") == v.columns["firms_alive"][0]
    assert pin.at(10_000, "firms_alive") == v.columns["firms_alive"][-1], "past the pinned run's end: its last value"
    assert pin.at(0, "firms_alive") is None
