"""The decision report of ``symbiosis compare``: verdict, league table, budget, why, plain words, bounds.

One small comparison of the built-in example (a few years, a few seeds) feeds the report checks;
the rules themselves (dominance, budgets, bounded intervals, 'nothing to act on') are also checked
on data with known answers.
"""

from __future__ import annotations

import math
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.compare import analysis, budget, explain, league, stats
from sim.compare.plain import CONFIG_KEY, LEVER_NAMES
from sim.compare.stats import Interval
from sim.compare.study import Comparison, compare
from sim.config import ConfigError
from sim.outputs import OUTCOMES

YEARS = 5
REPS = 4


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> Comparison:
    out = tmp_path_factory.mktemp("decide")
    return compare(
        "baseline",
        ["symbiosis_centre", "investment_support_symbiosis", "combined"],
        ["example"],
        REPS,
        out,
        workers=1,
        years=YEARS,
        command="test",
        budgets=[5.0, 50.0],
    )


class _Text(HTMLParser):
    """Visible text of a page, split at the reproducibility section."""

    def __init__(self) -> None:
        super().__init__()
        self.before: list[str] = []
        self.after: list[str] = []
        self.inputs = False
        self.skip = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if dict(attrs).get("id") == "reproducibility":
            self.inputs = True
        self.skip = tag in ("style", "script")
        alt = dict(attrs).get("alt")
        if alt:
            (self.after if self.inputs else self.before).append(alt)

    def handle_endtag(self, tag: str) -> None:
        self.skip = False

    def handle_data(self, data: str) -> None:
        if not self.skip:
            (self.after if self.inputs else self.before).append(data)


def _split(html_text: str) -> tuple[str, str]:
    p = _Text()
    p.feed(html_text)
    return " ".join(p.before), " ".join(p.after)


@pytest.mark.slow  # shares a whole comparison, built once per test process
def test_first_section_holds_the_verdict_league_table_and_plane(comparison: Comparison) -> None:
    html_text = comparison.html.read_text(encoding="utf-8")
    decision = html_text[html_text.index('<section id="decision">') : html_text.index("</section>")]
    assert decision.count('class="verdict"') >= 2  # a case's verdict and its budget sentence
    assert "league table" in decision and "rank by effect" in decision and "rank by value for money" in decision
    assert "Cost-effectiveness plane" in decision and "data:image/png;base64," in decision
    md = comparison.markdown.read_text(encoding="utf-8")
    assert md.index("league table") < md.index("## Within the budget") < md.index("## Glossary")
    for term in ("exchange-year", "95 % interval", "collapse (3-2 rule)", "dominated", "budget cap"):
        assert term in html_text.split('id="glossary"')[1]


@pytest.mark.slow  # shares a whole comparison, built once per test process
def test_no_config_key_outside_the_reproducibility_section(comparison: Comparison) -> None:
    before, after = _split(comparison.html.read_text(encoding="utf-8"))
    assert CONFIG_KEY.findall(before) == []
    md = comparison.markdown.read_text(encoding="utf-8")
    head, tail = md.split("## Reproducibility")
    assert CONFIG_KEY.findall(re.sub(r"\]\([^)]*\.png\)", "]", head)) == []  # figure file names are links, not words
    # the keys are there, where a reader reruns the numbers
    assert "policy.facilitator_base_funding_sek_per_year" in after and "params.permits.sandbox_cost_sek_per_case" in tail
    assert CONFIG_KEY.search("as params.permits.sandbox_cost_sek_per_case says") and CONFIG_KEY.search("funding_gap_months")


@pytest.mark.slow  # shares a whole comparison, built once per test process
def test_no_interval_of_a_non_negative_quantity_has_a_negative_bound(comparison: Comparison) -> None:
    checked = 0
    for res in comparison.results:
        for ar in res.arms.values():
            for key, iv in ar.means.items():
                if OUTCOMES[key].low == 0 and iv.n > 1:
                    assert iv.low >= 0 and iv.high >= iv.estimate >= iv.low, (ar.arm, key, iv)
                    checked += 1
            for iv in (ar.collapse, ar.never, ar.sek_per_exchange_year, ar.sek_per_t_co2):
                assert not (iv.low < 0), (ar.arm, iv)
    assert checked >= 4 * 5  # four arms, five outcomes a 5-year horizon reaches
    # nine runs without any virgin water saved and one with 90: a t interval goes below zero, this one does not
    x = np.array([0.0] * 9 + [90.0])
    assert stats.t_interval(x).low < 0
    iv = stats.bootstrap_mean(x)
    assert iv.low >= 0 and iv.high <= 90 and iv.estimate == 9.0
    assert stats.bootstrap_mean(np.zeros(5)) == Interval(0.0, 0.0, 0.0, 5)


def test_an_interval_that_reaches_zero_is_no_clear_effect() -> None:
    o = analysis.OUTCOME_BY_KEY["years_to_first_exchange"]
    base, pol = Interval(3.0, 2.0, 4.0, 10), Interval(2.6, 1.8, 3.4, 10)
    reaches = Interval(-0.4, -0.8, -0.01, 10)  # prints as -0.8 to 0.0
    assert reaches.excludes_zero() and not stats.clear(reaches, 1)
    text = analysis._effect(reaches, base, pol, o)
    assert "no clear effect" in text and "brought forward" not in text
    clear = Interval(-0.4, -0.8, -0.1, 10)
    assert "brought forward the first exchange by 0.4" in analysis._effect(clear, base, pol, o)


def _entry(name: str, effect: float, cost: float) -> league.Entry:
    e = Interval(effect, effect - 1, effect + 1, 10)
    return league.Entry(name, name, e, Interval(cost, cost - 0.1, cost + 0.1, 10), math.nan, effect > 1)


def test_dominance_and_extended_dominance_on_the_averages() -> None:
    es = [_entry("cheap", 10, 1), _entry("dear_worse", 8, 5), _entry("middle", 12, 4), _entry("best", 30, 6)]
    league._dominance(es)
    status = {e.name: e.status for e in es}
    # dear_worse: less effect than cheap for more money; middle: the line from cheap to best lies below it
    assert status == {"cheap": "", "dear_worse": "dominated", "middle": "extended dominance", "best": ""}
    worse_than_nothing = [_entry("harm", -2, 1)]
    league._dominance(worse_than_nothing)
    assert worse_than_nothing[0].status == "dominated"


def test_budget_values_and_the_best_option_within_a_budget() -> None:
    assert budget.parse_budget("20") == [20.0]
    assert budget.parse_budget("10,40,20") == [10.0, 20.0, 40.0]
    assert budget.parse_budget("10:30") == [10.0, 15.0, 20.0, 25.0, 30.0]
    for bad in ("-3", "abc", "30:10"):
        with pytest.raises(ConfigError, match="--budget-msek"):
            budget.parse_budget(bad)

    def opt(label: str, effect: float, cost: float, estimated: bool = False) -> budget.Option:
        return budget.Option(label, Interval(effect, effect - 1, effect + 1, 5), Interval(cost, cost - 1, cost + 1, 5), estimated, 0.0)

    opts = [opt("a", 5, 2), opt("b", 9, 12), opt("a + c", 9, 8, estimated=True), opt("c", 4, 6)]
    assert budget.best_within(opts, 1) is None
    assert budget.best_within(opts, 3).label == "a"
    assert budget.best_within(opts, 10).label == "a + c"
    assert budget.best_within(opts, 20).label == "b"  # the same gain, run together, wins the tie


@pytest.mark.slow  # shares a whole comparison, built once per test process
def test_budget_section_and_sentence_in_the_report(comparison: Comparison) -> None:
    md = comparison.markdown.read_text(encoding="utf-8")
    section = md.split("## Within the budget")[1].split("\n## ")[0]
    assert "| 5.0 |" in section and "| 50.0 |" in section
    assert "With 5.0 MSEK" in md.split("## Within the budget")[0]


def _runs(startups: list[int], guarantees: list[int]) -> pd.DataFrame:
    rows = []
    for arm in ("baseline", "guarantee"):
        for r, (s, g) in enumerate(zip(startups, guarantees, strict=True)):
            rows.append(
                {"case": "X", "arm": arm, "replication": r, "startups_entered": s, "startup_exchanges_started": 0, "guarantees_paid": g}
            )
    return pd.DataFrame(rows)


def test_a_lever_with_nothing_to_act_on_says_so() -> None:
    nothing, text = explain.lever_reason(_runs([0, 0, 0], [0, 0, 0]), "X", "baseline", "guarantee", "startup_guarantee_share")
    assert nothing and explain.NOTHING in text and "no start-up entered" in text
    acted, text = explain.lever_reason(_runs([0, 2, 1], [0, 1, 0]), "X", "baseline", "guarantee", "startup_guarantee_share")
    assert not acted and "start-ups that entered 1.0 -> 1.0" in text and "guarantees paid out" in text
    assert set(explain.TARGETS) == set(LEVER_NAMES)  # every lever says what it acts on


@pytest.mark.slow  # shares a whole comparison, built once per test process
def test_the_report_explains_a_package_with_nothing_to_act_on(comparison: Comparison) -> None:
    # the example has no investment-support programme, so symbiosis-eligible investment support cannot act
    md = comparison.markdown.read_text(encoding="utf-8")
    why = md.split("## Why the packages did or did not work")[1].split("\n## ")[0]
    row = next(line for line in why.splitlines() if line.startswith("| investment support symbiosis"))
    assert "Nothing to act on" in row and "no exchange applied for investment support" in row
    combined = next(line for line in why.splitlines() if line.startswith("| combined"))
    assert "permanent base funding per facilitator" in combined and "facilitators" in combined
    assert re.search(r"facilitation projects funded \d", combined)


def test_sensitivity_prices_only_where_a_package_pays_for_that_work_and_the_tornado_draws(tmp_path: Path) -> None:
    from sim.compare import policies, sensitivity

    pk = policies.load_policies(["baseline", "symbiosis_centre", "land_reservation"])
    keys = [f[0] for f in sensitivity.factors(pk)]
    assert "params.land_planning.reservation_cost_sek_per_plot_year" in keys
    assert "params.permits.sandbox_cost_sek_per_case" not in keys and len(keys) == 4
    res = analysis.CaseResult("X", "Place", 20, [0, 1])
    centre = {"X": sensitivity.Point("symbiosis_centre", 10.0, "symbiosis_centre", 3e5)}
    bars = [
        sensitivity.Bar("X", "a price", centre["X"], centre["X"]),
        sensitivity.Bar(
            "X",
            "trust",
            sensitivity.Point("land_reservation", 4.0, "", math.nan),
            sensitivity.Point("symbiosis_centre", 14.0, "symbiosis_centre", 2e5),
        ),
    ]
    fig = sensitivity.fig_tornado([res], centre, bars, tmp_path / "t.png")
    assert fig.path.stat().st_size > 5000
    rows = sensitivity.table(res, centre["X"], bars).rows
    assert rows[2][1] == "land reservation (changed)" and rows[2][3] == "none with a clear gain"


def test_a_programme_year_counts_as_full_when_it_has_no_room_for_one_more_project_year() -> None:
    from types import SimpleNamespace

    from agents.region import Programme
    from sim.run.measures import project_budget_full_years

    prog = Programme("p", None, 0.5, 36, 12, False, budget_sek_per_year=1.2e6)
    prog.committed_by_year = {2020: 1.0e6, 2021: 0.5e6}  # a project-year needs 12 x 100,000 x 0.5 = 600,000
    own = Programme("firms' own", None, 0.5, 36, 12, False, budget_sek_per_year=1.0, public=False)
    model = SimpleNamespace(
        regions=[SimpleNamespace(idx=0, programmes=[prog, own])],
        facilitators=[SimpleNamespace(region=0, cost_sek_per_month=100_000.0)],
        config=SimpleNamespace(start_year=2020),
        steps=36,
        date_of=lambda step: (2022, 12),
    )
    assert project_budget_full_years(model) == 1  # 2020 only; the firms' own programme is not a public cap
    model.facilitators = []
    assert project_budget_full_years(model) == 0  # no facilitator to fund: no cap can bind
