"""The dashboard in a real browser: it renders offline, and what it shows is what the model does.

Each expected number comes from running the same model in this process with the same settings
(a real :class:`DashboardModel`, no mocks), so the page must agree with the model step by step.
Speed is measured and written to ``test-artifacts/dashboard/performance.txt``, never asserted.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from sim.core.exchange import PIPELINE, Stage
from sim.dashboard.scenario import EXAMPLE_KEY, DashboardModel, Settings, list_cases, settings_for_case

from .conftest import VIEWPORT, PageWatch

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT_MS = 60_000


def bjuv_or_last_case() -> str:
    """The Bjuv case if the library has it, else the last case (the example when there is none)."""
    cases = list_cases()
    for c in cases:
        if "bjuv" in c.key.lower():
            return c.key
    return cases[-1].key


def open_dashboard(page: Any, url: str, watch: PageWatch) -> None:
    watch.attach(page)
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    page.wait_for_selector("[data-testid=map]")
    page.wait_for_selector("[data-testid=card-month]")


def card(page: Any, name: str) -> float:
    return float(page.get_attribute(f"[data-testid=card-{name}]", "data-value"))


def wait_month(page: Any, step: int, timeout_ms: float = TIMEOUT_MS) -> None:
    page.wait_for_function(f"() => document.querySelector('[data-testid=card-month]')?.dataset.value === '{step}'", timeout=timeout_ms)


def wait_month_at_least(page: Any, step: int, timeout_ms: float = TIMEOUT_MS) -> None:
    page.wait_for_function(f"() => Number(document.querySelector('[data-testid=card-month]')?.dataset.value) >= {step}", timeout=timeout_ms)


def click_until(page: Any, button: str, done: Any, attempts: int = 3) -> None:
    """Click, and click again if nothing happened within 15 s.

    On a machine shared by many jobs a click now and then never reaches the server (seen with
    load averages above 10 on two cores); a student would click again, and so does the test.
    A click that merely arrives late is not repeated: 15 s is far longer than any delay seen.
    """
    for attempt in range(attempts):
        page.get_by_role("button", name=button, exact=True).click()
        try:
            done(15_000 if attempt < attempts - 1 else TIMEOUT_MS)
            return
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise


def pause_and_settle(page: Any) -> int:
    """Press pause and wait until the shown month stops changing; return it."""
    click_until(page, "❚❚", lambda ms: page.get_by_role("button", name="▶", exact=True).wait_for(timeout=ms))
    last = -1
    while (now := int(card(page, "month"))) != last:
        last = now
        time.sleep(0.7)
    return last


def pick_case(page: Any, key: str) -> str:
    label = next(c.label for c in list_cases() if c.key == key)
    page.locator(".v-select__slot", has=page.get_by_label("Case")).click()
    page.locator(".v-menu__content .v-list-item", has_text=label).first.click()
    page.wait_for_function("label => document.body.innerText.includes(label)", arg=label)
    return label


def step(page: Any, times: int) -> None:
    start = int(card(page, "month"))
    for i in range(1, times + 1):
        click_until(page, "Step", lambda ms, i=i: wait_month(page, start + i, ms))


def model_after(settings: Settings, steps: int) -> DashboardModel:
    m = DashboardModel(settings)
    for _ in range(steps):
        m.step()
    return m


def assert_page_matches_model(page: Any, m: DashboardModel) -> None:
    """Cards and map show exactly what the model holds at this step."""
    d = m.collector.data
    assert card(page, "month") == m.steps
    assert card(page, "active") == (d["active_exchanges"][-1] if d["step"] else 0)
    assert card(page, "co2") == pytest.approx(sum(d["co2_avoided_t"]), rel=1e-9, abs=1e-3)
    assert card(page, "public") == pytest.approx(m.public_sek_total / 1e6, abs=1e-6)
    assert card(page, "firms") == m.n_alive
    operating = sum(1 for ex in m.live.values() if ex.stage is Stage.OPERATING)
    preparing = sum(1 for ex in m.live.values() if ex.stage in PIPELINE)
    assert page.locator("[data-testid=map] [data-exchange=operating]").count() == operating
    assert page.locator("[data-testid=map] [data-exchange=pipeline]").count() == preparing
    assert page.locator("[data-testid=map] [data-firm=alive]").count() == m.n_alive
    assert page.locator("[data-testid=map] [data-firm=exited]").count() == len(m.firms) - m.n_alive


def eventually(check: Any, seconds: float = 20.0) -> None:
    """Retry ``check`` until it passes: the page updates over a websocket, a moment after the click."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            check()
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def shows(page: Any, m: DashboardModel) -> None:
    eventually(lambda: assert_page_matches_model(page, m))


def report(artifacts: Path, line: str) -> None:
    with (artifacts / "performance.txt").open("a") as fh:
        fh.write(line + "\n")


def test_page_renders_fully_offline(page: Any, dashboard_url: str, watch: PageWatch, artifacts: Path) -> None:
    """Map, plots, controls and explanations render with every non-loopback request refused."""
    open_dashboard(page, dashboard_url, watch)
    m = DashboardModel(settings_for_case(EXAMPLE_KEY))
    shows(page, m)
    for chart in ("chart-exchanges", "chart-co2", "chart-trust"):
        assert page.locator(f"[data-testid={chart}]").is_visible()
    for name in ("Reset", "▶", "Step"):
        assert page.get_by_role("button", name=name, exact=True).is_enabled()
    sidebar = page.locator(".v-navigation-drawer").inner_text()
    for text in ("Case", "Seed", "Gap between funded projects", "MSEK/year", "Permit and plan durations", "EED residual-heat mandate"):
        assert text in sidebar, f"{text!r} missing from the controls"
    explanation = page.locator(".explanation").inner_text()
    for mechanism in ("trust", "permits", "project funding", "land planning", "diffusion"):
        assert mechanism in explanation
    # hovering a firm names it: every firm has a <title> in the map
    titles = page.eval_on_selector_all("[data-testid=map] g > title", "els => els.map(e => e.textContent)")
    assert sorted(t.split(":")[0] for t in titles) == sorted(f.name for f in m.firms)
    # the map is not hidden behind the sidebar at 1366x768
    box = page.locator("[data-testid=map]").bounding_box()
    assert box is not None and box["x"] + box["width"] <= VIEWPORT["width"] and box["width"] > 250
    page.screenshot(path=str(artifacts / "01-loaded-1366x768.png"))
    # the explanation of a mechanism names its parameters with unit and source
    panel = page.locator(".explanation")
    panel.get_by_text("trust (on): Trust between pairs of actors").click()
    table = panel.locator("[data-testid=params]")
    table.wait_for()
    assert "source in the report" in table.inner_text() and "trust (0-1)" in table.inner_text()
    table.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "01b-explanation-trust.png"))
    watch.assert_clean()


def test_case_slider_step_reset_follow_the_model(page: Any, dashboard_url: str, watch: PageWatch, artifacts: Path) -> None:
    """Pick a case, move a lever, step, pin, reset: the page shows what the model computes."""
    open_dashboard(page, dashboard_url, watch)
    key = bjuv_or_last_case()
    pick_case(page, key)
    base = settings_for_case(key)
    shows(page, DashboardModel(base))

    gap = base.policy["funding_gap_months"]
    slider = page.locator(".lever-funding_gap_months [role=slider]")
    slider.focus()
    for _ in range(6):
        slider.press("ArrowRight")
    moved = min(gap + 6, 60)
    lever_text = f"Gap between funded projects: {moved} months"
    page.wait_for_function("t => document.body.innerText.includes(t)", arg=lever_text)
    chosen = base.with_policy("funding_gap_months", moved)
    wait_month(page, 0)

    step(page, 3)
    shows(page, model_after(chosen, 3))

    click_until(page, "▶", lambda ms: wait_month_at_least(page, 4, ms))
    wait_month_at_least(page, 60)
    month = pause_and_settle(page)
    expected = model_after(chosen, month)
    shows(page, expected)
    page.screenshot(path=str(artifacts / "02-case-lever-played.png"))
    page.set_viewport_size({"width": VIEWPORT["width"], "height": 2000})  # the whole page, for people reading the notes
    page.screenshot(path=str(artifacts / "02b-whole-page-played.png"))
    page.set_viewport_size(VIEWPORT)

    page.get_by_role("button", name="Pin this run").click()
    page.wait_for_selector("[data-testid=pin-label]")
    assert f"gap between funded projects {moved} months" in page.inner_text("[data-testid=pin-label]")

    click_until(page, "Reset", lambda ms: wait_month(page, 0, ms))
    shows(page, DashboardModel(chosen))
    assert page.locator("[data-pinned]").count() >= 3, "the pinned run stays as a reference after Reset"
    assert lever_text in page.locator(".v-navigation-drawer").inner_text(), "Reset keeps the student's lever"

    step(page, 3)
    shows(page, model_after(chosen, 3))  # same settings and seed: the same run again

    # switching a mechanism off starts a new run that follows the model without it
    page.locator(".v-navigation-drawer").get_by_text("Mechanism switches").click()
    page.locator(".v-navigation-drawer").get_by_label("trust", exact=True).click(force=True)
    wait_month(page, 0)
    step(page, 2)
    shows(page, model_after(chosen.with_mechanism("trust", False), 2))
    page.screenshot(path=str(artifacts / "03-pinned-and-new-run.png"))
    watch.assert_clean()


def test_five_sessions_each_drive_their_own_model(browser: Any, dashboard_url: str, artifacts: Path) -> None:
    """Five students at once: each session steps its own model; playing one does not move another."""
    sessions = []
    for _ in range(5):
        ctx = browser.new_context(viewport=VIEWPORT)
        page = ctx.new_page()
        w = PageWatch()
        open_dashboard(page, dashboard_url, w)
        sessions.append((ctx, page, w))
    try:
        key = bjuv_or_last_case()
        first = sessions[0][1]
        pick_case(first, key)

        # play the case alone and measure how fast the shown month advances
        click_until(first, "▶", lambda ms: wait_month_at_least(first, 3, ms))
        t0, s0 = time.monotonic(), card(first, "month")
        time.sleep(4)
        t1, s1 = time.monotonic(), card(first, "month")
        alone = (s1 - s0) / (t1 - t0)
        assert s1 > s0, "playing must advance the run"

        # while it plays, the other four step their own runs by different amounts
        latencies = []
        for i, (_, page, _) in enumerate(sessions[1:], start=1):
            for k in range(1, i + 1):
                t = time.monotonic()
                click_until(page, "Step", lambda ms, page=page, k=k: wait_month(page, k, ms))
                latencies.append(time.monotonic() - t)
        t2, s2 = time.monotonic(), card(first, "month")
        time.sleep(3)
        t3, s3 = time.monotonic(), card(first, "month")
        shared = (s3 - s2) / (t3 - t2)
        pause_and_settle(first)

        example = settings_for_case(EXAMPLE_KEY)
        for i, (_, page, _) in enumerate(sessions[1:], start=1):
            shows(page, model_after(example, i))
        assert card(first, "month") >= s3 > 4, "the playing session kept its own run"
        first.screenshot(path=str(artifacts / "04-session-1-playing.png"))
        sessions[4][1].screenshot(path=str(artifacts / "05-session-5-stepped.png"))
        report(
            artifacts,
            f"{time.strftime('%Y-%m-%d %H:%M:%S')} case {key}: play alone {alone:.1f} steps/s; "
            f"while 4 other sessions step {shared:.1f} steps/s; step click to screen in other sessions "
            f"median {sorted(latencies)[len(latencies) // 2] * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms",
        )
        for _, _, w in sessions:
            w.assert_clean()
    finally:
        for ctx, _, _ in sessions:
            ctx.close()


def test_new_run_after_a_finished_one_can_be_played(page: Any, dashboard_url: str, watch: PageWatch, artifacts: Path) -> None:
    """Play a short case to its end, move a lever: the new run starts at month 0 and ▶ plays it."""
    open_dashboard(page, dashboard_url, watch)
    key = min(list_cases(), key=lambda c: DashboardModel(settings_for_case(c.key)).horizon).key
    pick_case(page, key)
    base = settings_for_case(key)
    horizon = DashboardModel(base).horizon
    click_until(page, "▶", lambda ms: wait_month_at_least(page, 1, ms))
    wait_month(page, horizon, timeout_ms=max(TIMEOUT_MS, 1000 * horizon))
    shows(page, model_after(base, horizon))
    play_pause = page.get_by_role("button", name=re.compile("^(▶|❚❚)$"))
    assert not play_pause.is_enabled(), "a finished run cannot go on"

    slider = page.locator(".lever-funding_gap_months [role=slider]")
    slider.focus()
    slider.press("ArrowRight")
    moved = min(base.policy["funding_gap_months"] + 1, 60)
    page.wait_for_function("t => document.body.innerText.includes(t)", arg=f"Gap between funded projects: {moved} months")
    wait_month(page, 0)

    def playable() -> None:
        assert page.get_by_role("button", name="▶", exact=True).is_enabled(), "▶ stays greyed after the new run started"

    eventually(playable)
    click_until(page, "▶", lambda ms: wait_month_at_least(page, 3, ms))
    month = pause_and_settle(page)
    shows(page, model_after(base.with_policy("funding_gap_months", moved), month))
    page.screenshot(path=str(artifacts / "04-new-run-after-finished.png"))
    watch.assert_clean()
