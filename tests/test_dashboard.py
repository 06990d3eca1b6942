"""The dashboard's pieces without a browser: settings, map, feed, charts, explanations, command.

The browser tests (tests/browser/) check the page end to end; these check the rules behind it
quickly and with real models.
"""

from __future__ import annotations

import itertools
import math
import re
import socket

import pytest
from typer.testing import CliRunner

from sim import config
from sim.cli import app
from sim.core.exchange import Stage
from sim.dashboard import explain, feed, svg
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
    frame = svg.map_frame(m)
    doc = svg.map_svg(m, frame, svg.sector_shapes([f.sector for f in m.firms]))
    operating = [ex for ex in m.live.values() if ex.stage is Stage.OPERATING]
    assert operating, "the example should have operating exchanges after ten years"
    assert doc.count('data-firm="alive"') == m.n_alive
    assert doc.count('data-firm="exited"') == len(m.firms) - m.n_alive
    assert doc.count('data-exchange="operating"') == len(operating)
    for ex in operating:
        assert re.search(rf'stroke="{RESOURCE_COLOURS[ex.resource]}"[^>]*data-exchange="operating" data-resource="{ex.resource}"', doc)
    for f in m.firms:
        assert f"<title>{f.name}:" in doc.replace("&amp;", "&"), f"{f.name} needs a hover label"


def test_map_frame_holds_every_firm_for_the_whole_run(example_run: DashboardModel) -> None:
    """The frame is fixed at the start, so start-ups arriving later must already be inside it."""
    frame = svg.map_frame(DashboardModel(settings_for_case(EXAMPLE_KEY)))
    for f in example_run.firms:
        assert frame.x0 <= f.x <= frame.x1 and frame.y0 <= f.y <= frame.y1, f.name


def test_sector_shapes_are_stable() -> None:
    assert svg.sector_shapes(["food", "biogas", "food"]) == svg.sector_shapes(["biogas", "food"]) == {"biogas": 0, "food": 1}


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
    v = page_app.snapshot(m, svg.map_frame(m), svg.sector_shapes([f.sector for f in m.firms]))
    assert v.step == m.steps == len(v.t)
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
