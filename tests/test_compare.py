"""``symbiosis compare``: paired runs, intervals, costs, clear errors and a report that opens.

Model runs use the built-in example over a few years and few seeds, so the file stays quick on
two busy cores; the statistics are also checked on data with known answers.
"""

from __future__ import annotations

import math
import re
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import config
from sim.compare import analysis, policies, stats
from sim.compare.study import Comparison, compare
from sim.config import ConfigError
from sim.run.runner import run
from tests.helpers import CHROMIUM, CHROMIUM_ARGS, ROOT, cli, greater

YEARS = 5  # months enough for exchanges to start in the example (first ones after ~2 years)
REPS = 16
ARTIFACTS = ROOT / "test-artifacts" / "compare"


@pytest.fixture(scope="module")
def same_policy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A package that sets levers to exactly the values the example already has."""
    path = tmp_path_factory.mktemp("pol") / "same_as_baseline.yaml"
    defaults = config.load().policy
    path.write_text(
        yaml.safe_dump(
            {
                "name": "same_as_baseline",
                "description": "Sets the example's own values explicitly.",
                "source": "test",
                "levers": {"funding_gap_months": defaults.funding_gap_months, "policy.permit_time_factor": defaults.permit_time_factor},
            }
        ),
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory, same_policy: Path) -> Comparison:
    out = tmp_path_factory.mktemp("cmp")
    return compare("baseline", [str(same_policy), "combined"], ["example"], REPS, out, workers=1, years=YEARS, command="test")


# ---- the policy library -----------------------------------------------------------------------


def test_every_package_loads_with_description_source_and_valid_levers() -> None:
    names = policies.known_policies()
    want = {
        "baseline",
        "continuous_funding",
        "anchor_eligible",
        "startup_guarantee",
        "symbiosis_centre",
        "land_reservation",
        "permit_sandbox",
        "eed_heat_mandate",
        "combined",
    }
    assert want <= set(names)
    pkgs = {p.name: p for p in policies.load_policies(names)}
    for p in pkgs.values():
        assert len(p.description) > 40 and "§" in p.source, p.name
        config.Policy.model_validate(p.levers)
    assert pkgs["baseline"].levers == {}
    singles = {k: v for n, p in pkgs.items() if n not in ("baseline", "combined") for k, v in p.levers.items()}
    assert pkgs["combined"].levers == singles
    assert set(singles) == set(policies.LEVERS)  # every lever has a package of its own


def test_unknown_policy_lever_and_value_are_reported_together(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ndescription: d\nsource: s\nlevers: {funding_gapp: 3, permit_time_factor: -1}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        policies.load_policies(["nope", str(bad)])
    text = "\n".join(exc.value.problems)
    assert "policy 'nope': unknown" in text and "continuous_funding" in text and "combined" in text
    assert "funding_gapp: unknown policy lever" in text and "funding_gap_months" in text and "eed_heat_mandate" in text
    # the bad value is only reported once the unknown lever is gone (one file, one pass per kind)
    bad.write_text("name: bad\ndescription: d\nsource: s\nlevers: {permit_time_factor: -1}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        policies.load_policy(str(bad))
    assert "permit_time_factor" in exc.value.problems[0] and "-1" in exc.value.problems[0] and "allowed" in exc.value.problems[0]


# ---- paired runs --------------------------------------------------------------------------------


@pytest.mark.slow
def test_every_arm_runs_on_the_same_seeds_with_its_levers(comparison: Comparison) -> None:
    runs = comparison.runs
    seeds = {arm: runs.loc[runs["arm"] == arm].sort_values("replication")["seed"].tolist() for arm in runs["arm"].unique()}
    assert seeds["baseline"] == list(range(REPS))
    assert all(s == seeds["baseline"] for s in seeds.values())
    comb = runs[runs["arm"] == "combined"]
    assert (comb["funding_gap_months"] == 0).all() and comb["land_reservation"].all() and (comb["permit_time_factor"] == 0.5).all()
    base = runs[runs["arm"] == "baseline"]
    assert (base["funding_gap_months"] == 6).all() and not base["land_reservation"].any()


@pytest.mark.slow
def test_a_run_of_compare_equals_the_same_run_of_the_runner(comparison: Comparison) -> None:
    row = comparison.runs[(comparison.runs["arm"] == "combined") & (comparison.runs["replication"] == 3)].iloc[0]
    levers = policies.load_policy("combined").levers
    cfg = config.load(None, {f"policy.{k}": v for k, v in levers.items()})
    direct = run(cfg, int(row["seed"]), YEARS * 12).summary
    for key in ("exchange_years", "public_funding_total_sek", "co2_avoided_total_t", "collapsed", "final_active_exchanges"):
        assert row[key] == direct[key], key


@pytest.mark.slow
def test_a_policy_identical_to_the_baseline_shows_zero_difference(comparison: Comparison) -> None:
    (res,) = comparison.results
    same = res.diffs["same_as_baseline"]
    assert same.identical
    for key, iv in same.diffs.items():
        if iv.n:
            assert iv.estimate == 0 and iv.low == 0 and iv.high == 0, key
    assert same.collapse.estimate == 0 and same.collapse.low <= 0 <= same.collapse.high
    # the comparison can tell a real policy apart: base funding is public money the baseline never spends
    comb = res.diffs["combined"]
    assert not comb.identical
    assert comb.diffs["public_funding_total_sek"].excludes_zero() and comb.diffs["public_funding_total_sek"].estimate > 0
    text = comparison.html.read_text(encoding="utf-8")
    assert "it changed nothing: every outcome equalled the baseline" in text


@pytest.mark.slow
def test_intervals_shrink_as_replications_grow(comparison: Comparison) -> None:
    """Seeds 4k..4k+3 are exactly what ``--replications 4 --first-seed 4k`` runs; compare them with all 16.

    One block of 4 can happen to be tight, so the 16-run interval is compared with the mean width of
    the four disjoint blocks (expected ratio about 1/3 from t quantiles and sqrt(n)).
    """
    runs = comparison.runs
    arms = [p.name for p in comparison.packages]
    names, years = {"example": "example"}, {"example": YEARS}
    blocks = [analysis.analyse(runs[runs["replication"] // 4 == k], "baseline", arms, names, years)[0] for k in range(4)]
    many = analysis.analyse(runs, "baseline", arms, names, years)[0]

    def few(get: Callable[[analysis.CaseResult], stats.Interval]) -> float:
        return float(np.mean([get(b).width for b in blocks]))

    for key in ("exchange_years", "co2_avoided_total_t"):
        assert many.arms["baseline"].means[key].width < 0.8 * few(lambda r, k=key: r.arms["baseline"].means[k]), key
        assert many.diffs["combined"].diffs[key].width < 0.8 * few(lambda r, k=key: r.diffs["combined"].diffs[k]), key
    assert many.arms["baseline"].collapse.width < few(lambda r: r.arms["baseline"].collapse)
    assert many.arms["combined"].sek_per_exchange_year.width < few(lambda r: r.arms["combined"].sek_per_exchange_year)


@pytest.mark.slow
def test_a_directory_with_another_comparison_is_refused(comparison: Comparison) -> None:
    with pytest.raises(ConfigError) as exc:
        compare("baseline", ["combined"], ["example"], 3, comparison.out, years=YEARS)
    assert "different comparison" in exc.value.problems[0]


# ---- statistics with known answers -----------------------------------------------------------


def test_wilson_and_newcombe_match_published_values() -> None:
    # Newcombe (1998) Table II example: 0/10 has Wilson interval 0 to 0.2775
    w = stats.wilson(0, 10)
    assert w.low == 0 and math.isclose(w.high, 0.2775, abs_tol=1e-4)
    w = stats.wilson(15, 148)  # Newcombe (1998, Statistics in Medicine 17:857) example: 0.0624 to 0.1605
    assert math.isclose(w.low, 0.0624, abs_tol=1e-4) and math.isclose(w.high, 0.1605, abs_tol=1e-4)
    # Newcombe's paired interval with no correlation (a*d - b*c between 0 and n/2) is his unpaired hybrid
    # score interval, published for 9/10 vs 3/10 (Newcombe 1998, Stat Med 17:873, method 10): 0.1705 to 0.8090
    d = stats.newcombe_paired(*_paired(a=3, b=6, c=0, d=1))
    assert math.isclose(d.estimate, 0.6) and math.isclose(d.low, 0.1705, abs_tol=1e-4) and math.isclose(d.high, 0.8090, abs_tol=1e-4)
    # positive correlation narrows it; identical arms give a zero estimate inside a symmetric interval
    assert stats.newcombe_paired(*_paired(a=3, b=6, c=0, d=1)).width > stats.newcombe_paired(*_paired(a=3, b=6, c=0, d=10)).width / 2
    same = stats.newcombe_paired(*_paired(a=5, b=0, c=0, d=5))
    assert same.estimate == 0 and math.isclose(same.low, -same.high) and same.low < 0


def _paired(a: int, b: int, c: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    """(baseline, policy) yes/no outcomes: a both yes, b only the policy, c only the baseline, d neither."""
    policy = np.array([1] * a + [1] * b + [0] * c + [0] * d, dtype=bool)
    baseline = np.array([1] * a + [0] * b + [1] * c + [0] * d, dtype=bool)
    return baseline, policy


def test_paired_difference_and_bootstrap_ratio() -> None:
    rng = np.random.default_rng(1)
    shared = rng.normal(100, 30, 40)  # the noise both arms share through the seed
    base, pol = shared, shared + 5 + rng.normal(0, 1, 40)
    paired = stats.paired_difference(base, pol)
    unpaired_width = stats.t_interval(pol).width + stats.t_interval(base).width
    assert paired.excludes_zero() and 4 < paired.estimate < 6 and paired.width < unpaired_width / 10
    assert stats.paired_difference(base, base).width == 0
    nan_pair = stats.paired_difference(np.array([1.0, np.nan, 3.0]), np.array([2.0, 5.0, np.nan]))
    assert nan_pair.n == 1 and nan_pair.estimate == 1
    r = stats.ratio_of_means(np.full(30, 10.0) + rng.normal(0, 1, 30), np.full(30, 2.0) + rng.normal(0, 0.1, 30))
    assert r.low < 5 < r.high and r.low < r.estimate < r.high
    assert math.isnan(stats.ratio_of_means(np.ones(5), np.zeros(5)).estimate)


# ---- command line and report ----------------------------------------------------------------


def test_cases_resolve_ids_stems_places_and_synthetic_regions_with_the_horizon() -> None:
    from sim.compare.runs import resolve_case

    a20 = resolve_case("A20", 20)  # the file stops in 2030; a 20-year horizon extends it
    assert a20.id == "A20" and a20.raw["years"] == 20 and a20.steps == 240
    a13 = resolve_case("bjuv", 5)  # shorter than the file: stop early, keep its events valid
    assert a13.id == "A13" and a13.raw["years"] == 23 and a13.steps == 60
    assert resolve_case("A13_bjuv", None).steps == 23 * 12
    syn = resolve_case("synthetic:small:3", 4)
    assert syn.id == "synthetic-small-3" and len(syn.raw["firms"]) > 50 and syn.steps == 48
    with pytest.raises(ConfigError) as exc:
        resolve_case("synthetic:huge", 4)
    assert "small" in exc.value.problems[0] and "national" in exc.value.problems[0]


def test_cli_unknown_policy_lever_or_case_exits_2_listing_known_ones(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sim.cli import app

    runner = CliRunner()  # in-process: the exit code and stderr are what a user sees, without a slow import
    res = runner.invoke(app, ["compare", "baseline", "no_such_policy", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "Traceback" not in res.stderr, res.output
    assert "no_such_policy" in res.stderr and "continuous_funding" in res.stderr and "eed_heat_mandate" in res.stderr
    bad = tmp_path / "typo.yaml"
    bad.write_text("name: typo\ndescription: d\nsource: s\nlevers: {land_reserve: true}\n", encoding="utf-8")
    res = runner.invoke(app, ["compare", "baseline", str(bad), "--cases", "A13,Z99", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "Traceback" not in res.stderr
    assert "land_reserve: unknown policy lever" in res.stderr and "land_reservation" in res.stderr
    assert "--cases Z99: unknown case" in res.stderr and "A20" in res.stderr
    assert not (tmp_path / "o").exists()  # nothing is run or written for bad input


@pytest.mark.slow
def test_cli_unknown_policy_exits_2_in_a_fresh_process_too(tmp_path: Path) -> None:
    """As a user runs it: a message and exit code 2, never a traceback."""
    proc = cli("compare", "nope", "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "policy 'nope': unknown" in proc.stderr


@pytest.mark.slow
def test_cli_writes_html_and_markdown_reports_with_figures(tmp_path: Path) -> None:
    out = tmp_path / "report"
    proc = cli(
        "compare",
        "baseline",
        "symbiosis_centre",
        "--cases",
        "example,synthetic:small:2",
        "--replications",
        "3",
        "--years",
        "4",
        "--out",
        str(out),
        "--no-pdf",
    )
    assert proc.returncode == 0, proc.stderr
    assert "report.html" in proc.stdout and "exchange-years" in proc.stdout
    html_text = (out / "report.html").read_text(encoding="utf-8")
    md = (out / "report.md").read_text(encoding="utf-8")
    pngs = sorted((out / "figures").glob("*.png"))
    assert len(pngs) == 11 and all(p.stat().st_size > 5000 for p in pngs)  # five per scenario, and the plane of both
    assert html_text.count('src="data:image/png;base64,') == len(pngs)
    assert not re.search(r'src="(?!data:)', html_text) and "<link" not in html_text  # self-contained
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert len(links) == len(pngs) and all((out / link).is_file() for link in links)
    for doc in (html_text, md):
        assert "Permanent symbiosis centre" in doc and "paired runs" in doc
        assert "seeds" in doc and "0..2 (3 seeds" in doc and "replications" in doc
        assert "sha256" in doc and "mesa" in doc and "symbiosis run configs/example.yaml --seed 0" in doc
        assert "public SEK per active exchange-year" in doc and "probability of collapse" in doc
    sha = re.search(r"resolved config sha256 ([0-9a-f]{64})", md)
    assert sha is not None
    runs = pd.concat(pd.read_parquet(p) for p in sorted((out / "runs").glob("batch-*.parquet")))
    assert len(runs) == 12 and runs["error"].isna().all()
    assert "synthetic-small-seed2" in md and "sim.scenarios.synthetic.preset('small', seed=2)" in md


@pytest.mark.slow
def test_html_report_opens_in_chromium_with_figures_shown(comparison: Comparison) -> None:
    assert Path(CHROMIUM).exists(), "Debian Chromium is missing: scripts/setup.sh installs it (apt-get install chromium)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # Playwright's sync API refuses to run where another plugin left an asyncio loop running
    # (the browser tests share this worker), so drive Chromium from a thread of its own.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(_check_report_in_chromium, comparison).result()
    shutil.copy(comparison.html, ARTIFACTS / "report.html")


def _check_report_in_chromium(comparison: Comparison) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(comparison.html.resolve().as_uri())
            page.wait_for_load_state("load")
            widths = page.eval_on_selector_all("figure img", "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
            assert len(widths) == len(comparison.figures) and all(w > 0 for w in widths), widths
            heights = page.eval_on_selector_all("figure img", "imgs => imgs.map(i => i.getBoundingClientRect().height)")
            assert all(h > 50 for h in heights), heights
            assert page.locator(".reading").count() == 2
            page.screenshot(path=str(ARTIFACTS / "report_top.png"))
            page.locator("figure img").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "report_figure.png"))
        finally:
            browser.close()


@pytest.mark.slow
def test_set_applies_to_every_arm_and_prices_can_be_replaced(tmp_path: Path) -> None:
    """An authority puts in its own price: with the land price at 0 the reservation costs nothing extra."""

    def land_extra(out: str, *sets: str) -> float:
        overrides = config.parse_set(list(sets))
        res = compare("baseline", ["land_reservation"], ["A13"], 3, tmp_path / out, years=5, overrides=overrides)
        cell = res.results[0].diffs["land_reservation"].diffs["public_funding_total_sek"]
        assert res.cases[0].overrides == overrides
        assert all(f"--set {s.split('=')[0]}" in (tmp_path / out / "report.md").read_text() for s in sets)
        return cell.estimate

    assert land_extra("priced") > 0
    assert land_extra("free", "params.land_planning.reservation_cost_sek_per_plot_year=0") == 0


def test_cli_bad_set_exits_2_naming_the_key(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sim.cli import app

    res = CliRunner().invoke(app, ["compare", "baseline", "--cases", "A13", "--out", str(tmp_path / "o"), "--set", "params.nope=1"])
    assert res.exit_code == 2 and "Traceback" not in res.stderr, res.output
    assert "--set params.nope: unknown key 'nope'" in res.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_continuous_funding_on_savsjo_spends_more_public_money_where_appropriations_allow(tmp_path: Path) -> None:
    """A20 over 20 years: with yearly appropriations, back-to-back projects fund more months, so the
    compare report shows more public money spent, not a saving from spending a fixed pot sooner
    (50 paired seeds)."""
    res = compare("baseline", ["continuous_funding"], ["A20"], 50, tmp_path / "a20", workers=1, years=20, command="test")
    (case,) = res.results
    extra = case.diffs["continuous_funding"].diffs["public_funding_total_sek"]
    assert extra.excludes_zero() and extra.estimate > 0
    assert (
        case.arms["continuous_funding"].means["public_funding_total_sek"].estimate
        > case.arms["baseline"].means["public_funding_total_sek"].estimate
    )
    runs = res.runs
    greater(
        runs.loc[runs["arm"] == "continuous_funding", "public_funding_total_sek"].to_numpy(),
        runs.loc[runs["arm"] == "baseline", "public_funding_total_sek"].to_numpy(),
    )
    assert "more public money per run" in res.markdown.read_text(encoding="utf-8")
