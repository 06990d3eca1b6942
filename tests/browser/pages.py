"""What the browser tests do on the dashboard page, as a student would: open, pick, play, step, look."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from sim.dashboard.scenario import list_cases

from .conftest import PageWatch

TIMEOUT_MS = 90_000


def open_dashboard(page: Any, url: str, watch: PageWatch) -> None:
    watch.attach(page)
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    page.wait_for_selector("[data-testid=map]")
    page.wait_for_selector("[data-testid=card-month]")


def card(page: Any, name: str) -> float:
    return float(page.get_attribute(f"[data-testid=card-{name}]", "data-value"))


def month(page: Any) -> int:
    return int(card(page, "month"))


def wait_month(page: Any, step: int, timeout_ms: float = TIMEOUT_MS) -> None:
    page.wait_for_function(f"() => document.querySelector('[data-testid=card-month]')?.dataset.value === '{step}'", timeout=timeout_ms)


def wait_month_at_least(page: Any, step: int, timeout_ms: float = TIMEOUT_MS) -> None:
    page.wait_for_function(f"() => Number(document.querySelector('[data-testid=card-month]')?.dataset.value) >= {step}", timeout=timeout_ms)


def click_until(page: Any, selector: str, done: Any, attempts: int = 3) -> None:
    """Click, and click again if nothing happened within 20 s.

    On a machine shared by many jobs a click now and then never reaches the server (seen with
    load averages above 10 on two cores); a student would click again, and so does the test.
    """
    for attempt in range(attempts):
        try:
            page.locator(selector).first.click(timeout=20_000)
        except PlaywrightTimeout:  # covered for a while by a card still being laid out (ten sessions at once)
            page.locator(selector).first.dispatch_event("click")
        try:
            done(20_000 if attempt < attempts - 1 else TIMEOUT_MS)
            return
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise


def flip_switch(page: Any, scope: Any, label: str, done: Any, attempts: int = 3) -> None:
    """Turn a switch over and wait for ``done``; click again only if the switch did not turn.

    A click on a switch in a panel still opening can land beside it. Clicking blindly again could
    turn it back, so before each new try the test reads the switch's own state.
    """
    switch = scope.get_by_label(label, exact=True)
    before = switch.is_checked()
    for attempt in range(attempts):
        if switch.is_checked() == before:
            switch.click(force=True)
        try:
            done(20_000 if attempt < attempts - 1 else TIMEOUT_MS)
            return
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise


def _label_is(page: Any, text: str, ms: float) -> None:
    page.wait_for_function("t => document.querySelector('.play')?.innerText.toLowerCase().includes(t)", arg=text, timeout=ms)


def play(page: Any) -> None:
    """Press ▶ Play and wait until the button offers Pause."""
    click_until(page, ".play", lambda ms: _label_is(page, "pause", ms))


def pause_and_settle(page: Any) -> int:
    """Press Pause, wait until the button offers Play and the shown month stops changing; return it."""
    if "pause" in page.inner_text(".play").lower():
        click_until(page, ".play", lambda ms: _label_is(page, "play", ms))
    last, deadline = -1, time.monotonic() + TIMEOUT_MS / 1000
    while (now := month(page)) != last and time.monotonic() < deadline:
        last = now
        page.wait_for_timeout(800)  # a month still in flight when Pause arrived is drawn a moment later
    return last


def pick_case(page: Any, key: str) -> str:
    label = next(c.label for c in list_cases() if c.key == key)
    page.locator(".v-select__slot", has=page.get_by_label("Case")).click()
    item = page.locator(".v-menu__content .v-list-item", has_text=label).first
    menu = page.locator(".v-menu__content.menuable__content__active").first
    menu.wait_for()
    for _ in range(10):  # the list draws its first twenty cases and more as it is scrolled
        if item.count():
            break
        menu.evaluate("el => { el.scrollTop = el.scrollHeight; }")
        page.wait_for_timeout(300)
    item.click()
    page.wait_for_function("label => document.querySelector('.overview')?.innerText.includes(label)", arg=label)
    wait_month(page, 0)
    return label


def step(page: Any, times: int) -> None:
    start = month(page)
    for i in range(1, times + 1):
        click_until(page, ".step", lambda ms, i=i: wait_month(page, start + i, ms))


LAYOUT_JS = """
() => {
  const out = [];
  const r = s => document.querySelector(s).getBoundingClientRect();
  const main = r('.dash-main'), side = r('.dash-side');
  if (side.right > main.left + 1) out.push(`sidebar (right ${side.right}) covers the main column (left ${main.left})`);
  const plot = r('[data-testid=map-plot]');
  if (plot.width < 0.5 * main.width) out.push(`map plot ${plot.width}px is less than half the main column ${main.width}px`);
  if (document.documentElement.scrollWidth > window.innerWidth + 1) out.push(`page scrolls sideways: ${document.documentElement.scrollWidth}`);
  const visible = e => e.offsetParent !== null || getComputedStyle(e).position === 'fixed';
  for (const e of document.querySelectorAll('body *')) {
    if (!visible(e) || e.closest('.v-menu__content')) continue;
    const s = getComputedStyle(e);
    const scrolls = ['auto', 'scroll'].includes(s.overflowY) || ['auto', 'scroll'].includes(s.overflowX);
    if (scrolls && (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1))
      out.push(`nested scroll in ${e.tagName}.${e.className}`);
  }
  const tiles = [...document.querySelectorAll('.dash-tile')].filter(visible);
  for (const t of tiles) {
    if (t.scrollWidth > t.clientWidth + 1 || t.scrollHeight > t.clientHeight + 1)
      out.push(`text clipped in ${t.className}: ${t.scrollWidth}x${t.scrollHeight} in ${t.clientWidth}x${t.clientHeight}`);
    const box = t.getBoundingClientRect();
    for (const e of t.querySelectorAll('*')) {
      if (!visible(e) || e.closest('svg')) continue;
      const b = e.getBoundingClientRect();
      if (b.width && (b.right > box.right + 1 || b.left < box.left - 1)) { out.push(`${e.tagName} "${(e.innerText || '').slice(0, 30)}" spills out of ${t.className}`); break; }
      if (e.scrollWidth > e.clientWidth + 1 && s_hidden(e)) { out.push(`${e.tagName} "${(e.innerText || '').slice(0, 30)}" is cut off`); break; }
    }
  }
  function s_hidden(e) { const s = getComputedStyle(e); return s.overflowX === 'hidden' || s.textOverflow === 'ellipsis'; }
  for (const t of document.querySelectorAll('.tick')) {
    const h = t.getBoundingClientRect().height;
    if (visible(t) && h < 9) { out.push(`tick "${t.textContent}" only ${h.toFixed(1)}px high`); break; }
  }
  const labels = [...document.querySelectorAll('[data-testid=map] [data-label]')].map(e => [e.textContent, e.getBoundingClientRect()]);
  for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) {
    const [ta, a] = labels[i], [tb, b] = labels[j];
    if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) out.push(`map labels "${ta}" and "${tb}" collide`);
  }
  const legend = r('[data-testid=map-legend]'), tile = r('.map-tile');
  if (legend.bottom > tile.bottom + 1 || legend.right > tile.right + 1) out.push('map legend sticks out of its card');
  return out;
}
"""


def layout_problems(page: Any) -> list[str]:
    """Everything a reader would find broken in the layout, in words (empty: none)."""
    return page.evaluate(LAYOUT_JS)
