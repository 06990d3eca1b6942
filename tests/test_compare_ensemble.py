"""``symbiosis compare --ensemble``: the robustness statistics on runs with known answers, the
ensemble's validation messages, and the acceptance command on Bjuv and Sävsjö run twice."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.compare import ensemble as ensmod
from sim.compare import robust
from sim.compare.analysis import OUTCOMES
from sim.compare.plain import CONFIG_KEY
from sim.compare.study import compare
from sim.config import ConfigError
from tests.helpers import cli_inprocess

SEEDS = [0, 1, 2]
BASE = np.array([10.0, 12.0, 14.0])  # the baseline's exchange-years on each seed
# member -> package -> its per-seed effect on exchange-years (known answers below)
EFFECTS = {
    0: {"a": [5.0, 5.0, 5.0], "b": [2.0, 2.0, 2.0]},  # a first
    1: {"a": [4.0, -2.0, 1.0], "b": [3.0, 3.0, 3.0]},  # b first; a's mean +1 but its interval reaches zero
    2: {"a": [-1.0, -1.0, -1.0], "b": [-2.0, -2.0, -2.0]},  # both harm: keeping the baseline is best
    3: {"a": [2.0, 2.0, 2.0], "b": [2.0, 2.0, 2.0]},  # a tie: the first place is shared
}


def _runs(effects: dict[int, dict[str, list[float]]], cost_msek: dict[str, float] | None = None) -> pd.DataFrame:
    """A runs table like ``ensemble_runs.parquet``: one case, a baseline and packages, per member and seed."""
    cost_msek = cost_msek or {}
    rows = []
    for m, per in effects.items():
        arms = {"base": np.zeros(len(SEEDS)), **{p: np.array(v) for p, v in per.items()}}
        for arm, eff in arms.items():
            for r, seed in enumerate(SEEDS):
                row = {o.key: math.nan for o in OUTCOMES}
                row.update(
                    member=m,
                    case="X",
                    arm=arm,
                    replication=r,
                    seed=seed,
                    exchange_years=BASE[r] + m + eff[r],
                    years_to_first_exchange=2.0,
                    public_funding_total_sek=1e6 * (3.0 + cost_msek.get(arm, 0.0)),
                    collapsed=False,
                )
                rows.append(row)
    return pd.DataFrame(rows)


def _summary(effects: dict[int, dict[str, list[float]]], cost: dict[str, float] | None = None) -> robust.CaseRobust:
    (cr,) = robust.summarise(_runs(effects, cost), "base", list(next(iter(effects.values()))), {"X": "Town X"}, {"X": 10})
    return cr


def test_shares_spread_first_places_with_ties_and_regret_on_known_effects() -> None:
    cr = _summary(EFFECTS, {"a": 1.0})
    a, b, base = cr.choice("a"), cr.choice("b"), cr.choice("base")
    assert cr.members == [0, 1, 2, 3] and cr.seeds == SEEDS
    assert np.allclose(a.effects, [5, 1, -1, 2]) and np.allclose(b.effects, [2, 3, -2, 2])
    assert (a.wins, a.clear_wins) == (3, 2)  # member 1's mean is above zero, its interval is not
    assert (b.wins, b.clear_wins) == (3, 3)
    # first places: a in member 0, b in 1, the baseline in 2, a and b share member 3
    assert (a.first, b.first, base.first) == (1.5, 1.5, 1.0)
    assert np.allclose(a.regret, [0, 2, 1, 0]) and np.allclose(b.regret, [3, 0, 2, 0]) and np.allclose(base.regret, [5, 3, 0, 2])
    assert [c.name for c in cr.choices] == ["a", "b", "base"]  # least mean regret first: 0.75, 1.25, 2.5
    assert a.spread() == (1.5, -1.0, 5.0)  # median, smallest, largest with few members
    assert np.allclose(a.costs, 1.0) and np.allclose(b.costs, 0.0)
    assert a.icer() == pytest.approx(np.median([1e6 / 5, 1e6 / 2]))  # over the members with a clear gain
    assert b.icer() == 0.0  # gains for no extra money


def test_the_same_numbers_whatever_order_the_packages_come_in() -> None:
    swapped = {m: {"b": per["b"], "a": per["a"]} for m, per in EFFECTS.items()}
    one, two = _summary(EFFECTS), _summary(swapped)
    for name in ("a", "b", "base"):
        assert one.choice(name).first == two.choice(name).first
        assert np.array_equal(one.choice(name).regret, two.choice(name).regret)


def test_sentences_and_table_say_what_an_official_needs() -> None:
    cr = _summary(EFFECTS, {"a": 1.0})
    text = robust.package_sentence(cr, cr.choice("a"))
    assert text.startswith("A beats the baseline in 3 of 4 parameter sets (clearly, with its 95 % interval above zero, in 2)")
    assert "ranks first in 1.5 of 4" in text and "on average 0.8 exchange-years" in text and "(at most 2.0)" in text
    front = robust.front_sentence(cr)
    assert front.startswith(
        "Across 4 calibrated parameter sets, a is the most robust choice (the least regret): it beats the baseline in 3 of 4"
    )
    best = _summary({m: {"a": [1.0, 2.0, 3.0], "b": [0.5] * 3} for m in range(2)})
    assert "it is the best choice in every set" in robust.front_sentence(best)
    t = robust.table(cr)
    assert [r[0] for r in t.rows] == ["a", "b", "keeping today's policy"]
    assert t.rows[0][1:6] == ["3 of 4", "2 of 4", "+1.5 [-1.0, +5.0]", "38 %", "0.8 / 2.0"]
    assert t.rows[0][6] == "+1.00" and t.rows[0][7] == "SEK 350 thousand"
    assert t.rows[1][7] == "no extra money" and t.rows[2][4] == "25 %" and t.rows[2][5] == "2.5 / 5.0"
    # every package harms in every set: no package is a safe choice
    harm = _summary({m: {"a": [-1.0, -1.5, -1.0], "b": [-3.0, -3.0, -3.0]} for m in range(3)})
    assert harm.choices[0].baseline and harm.choice("base").first == 3.0
    assert "no package is a safe choice" in robust.front_sentence(harm)
    assert harm.choice("a").wins == 0 and np.allclose(harm.choice("b").regret, 3.0)


def test_many_members_spread_is_the_5_to_95_percent_range() -> None:
    effects = {m: {"a": [float(m)] * 3} for m in range(40)}
    a = _summary(effects).choice("a")
    med, lo, hi = a.spread()
    assert (
        med == pytest.approx(19.5)
        and lo == pytest.approx(np.percentile(range(40), 5))
        and hi == pytest.approx(np.percentile(range(40), 95))
    )
    assert "5-95 %" in robust.table(_summary(effects)).header[3]


# ---- reading and checking the ensemble --------------------------------------------------------


def _write(path: Path, data: dict[str, list[object]]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(data).to_parquet(path / "ensemble.parquet", index=False)
    return path


GOOD = {
    "member": [0, 1, 2],
    "params.trust.established": [0.15, 0.25, 0.35],
    "params.negotiation.failure_at_zero_trust": [0.2, 0.4, 0.6],
    "params.matching.base_search_rate": [0.01, 0.03, 0.05],
}


def test_an_ensemble_is_read_in_member_order_with_its_commit(tmp_path: Path) -> None:
    d = _write(tmp_path / "ens", {k: list(reversed(v)) for k, v in GOOD.items()})
    (d / "summary.json").write_text(json.dumps({"commit": "abc123def456789"}), encoding="utf-8")
    ens = ensmod.load(d, 2)
    assert ens.members == [0, 1] and ens.total == 3 and ens.commit == "abc123def456789"
    assert ens.values[1] == {
        "params.trust.established": 0.25,
        "params.negotiation.failure_at_zero_trust": 0.4,
        "params.matching.base_search_rate": 0.03,
    }
    assert ens.sha256 == hashlib.sha256((d / "ensemble.parquet").read_bytes()).hexdigest()
    assert ens.ranges()["params.trust.established"] == (0.15, 0.25)
    (d / "summary.json").write_text(json.dumps({"commit": "unknown"}), encoding="utf-8")
    (d / "manifest.json").write_text(json.dumps({"versions": {"git_commit": "abc123def456789"}}), encoding="utf-8")
    assert ensmod.load(d).commit == "abc123def456789"  # an unknown commit in the summary: the manifest's
    text = ensmod.about(ens, SEEDS, 54)
    assert "initial trust between two established actors" in text and "(the first 2 of 3 sets, calibrated at commit abc123def456)" in text
    assert "(the first of its 3 sets" in ensmod.about(ensmod.load(d, 1), SEEDS, 27)
    assert ensmod.words("params.benefit.setup_cost_sek.anchor").endswith("(anchor)")


def _compare(tmp_path: Path, *extra: str) -> tuple[int, str]:
    res = cli_inprocess("compare", "baseline", "continuous_funding", "--cases", "A13", "--out", str(tmp_path / "o"), "--no-pdf", *extra)
    assert "Traceback" not in res.stderr and not (tmp_path / "o").exists()  # nothing run or written for bad input
    return res.returncode, res.stderr


@pytest.mark.parametrize(
    ("make", "extra", "says"),
    [
        (lambda d: d, [], "no such directory (allowed: a directory written by symbiosis calibrate"),
        (lambda d: (d.mkdir(), d)[1], [], "no ensemble.parquet in it"),
        (lambda d: _write(d, {"params.trust.established": [0.2]}), [], "has no 'member' column (allowed: a 'member' column and one"),
        (
            lambda d: _write(d, {**GOOD, "params.trust.establish": [0.2, 0.2, 0.2]}),
            [],
            "column 'params.trust.establish': unknown config key 'establish'",
        ),
        (lambda d: _write(d, {"member": [0], "name": [1.0]}), [], "column 'name': not a number in the config"),
        (lambda d: _write(d, {"member": [0], "policy.funding_gap_months": [3.0]}), [], "a policy lever or run setting"),
        (lambda d: _write(d, {"member": [0], "params.trust.established": ["high"]}), [], "values of type object (allowed: numbers)"),
        (
            lambda d: _write(d, {"member": [0, 0], "params.trust.established": [0.2, 0.3]}),
            [],
            "(allowed: whole numbers from 0, each member once)",
        ),
        (
            lambda d: _write(d, {"member": [0], "params.trust.established": [math.nan]}),
            [],
            "member 0: value nan (allowed: a finite number)",
        ),
        (
            lambda d: _write(d, {"member": pd.Series([], dtype="int64"), "params.trust.established": pd.Series([], dtype=float)}),
            [],
            "holds no members",
        ),
        (lambda d: _write(d, {"member": [0, 1]}), [], "has no parameter columns"),
        (lambda d: _write(d, {"member": [0, 1], "params.trust.established": [0.2, 7.0]}), [], "member 1: params.trust.established"),
        (lambda d: _write(d, GOOD), ["--members", "4"], "--members 4: the ensemble in"),
    ],
)
def test_a_bad_ensemble_exits_2_naming_the_option_the_value_and_what_is_allowed(
    tmp_path: Path, make: Callable[[Path], object], extra: list[str], says: str
) -> None:
    d = tmp_path / "ens"
    make(d)
    code, err = _compare(tmp_path, "--ensemble", str(d), *extra)
    assert code == 2 and says in err, err
    assert "--ensemble" in err or "--members" in err


def test_members_without_an_ensemble_is_refused(tmp_path: Path) -> None:
    code, err = _compare(tmp_path, "--members", "3")
    assert code == 2 and "--members 3: given without --ensemble" in err


def test_an_ensemble_needs_a_package_to_compare(tmp_path: Path) -> None:
    d = _write(tmp_path / "ens", GOOD)
    res = cli_inprocess("compare", "baseline", "--cases", "A13", "--ensemble", str(d), "--out", str(tmp_path / "o"), "--no-pdf")
    assert res.returncode == 2 and "only the baseline was given" in res.stderr and not (tmp_path / "o").exists()


def test_another_ensembles_runs_in_the_output_are_refused_before_any_run(tmp_path: Path) -> None:
    d = _write(tmp_path / "ens", GOOD)
    (tmp_path / "o" / "ensemble").mkdir(parents=True)
    (tmp_path / "o" / "ensemble" / "compare.json").write_text('{"fingerprint": "another"}', encoding="utf-8")
    res = cli_inprocess("compare", "baseline", "continuous_funding", "--cases", "A13", "--ensemble", str(d), "--out", str(tmp_path / "o"))
    assert res.returncode == 2 and "holds the runs of another ensemble or comparison in ensemble/" in res.stderr
    assert not (tmp_path / "o" / "runs").exists()  # the main comparison did not start either


def test_the_load_function_raises_the_same_messages(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        ensmod.load(tmp_path / "nope")
    assert exc.value.problems == [f"--ensemble {tmp_path / 'nope'}: no such directory (allowed: {ensmod.ALLOWED})"]


# ---- the acceptance command -------------------------------------------------------------------


def _section(md: str) -> str:
    start = md.index("## Robustness across the calibrated ensemble")
    return md[start : md.index("\n## ", start + 10)]


class _Stopped(Exception):
    """Stands for a kill part-way through a comparison."""


@pytest.mark.slow
def test_acceptance_command_writes_the_robustness_section_and_repeats_exactly(tmp_path: Path) -> None:
    """Bjuv and Sävsjö, 3 members x 3 seeds x 10 years, twice (on two workers; then on one, stopped
    part-way through the ensemble and resumed): the same ensemble runs to the byte and the same
    robustness numbers."""
    ens = _write(tmp_path / "ens", GOOD)
    main_runs = 2 * 3 * 3

    def stop(batch: int, finished: int) -> None:
        if finished >= main_runs + 12:  # four of the ensemble's eighteen batches
            raise _Stopped

    with pytest.raises(_Stopped):
        compare(
            "baseline",
            ["continuous_funding", "symbiosis_centre"],
            ["A13", "A20"],
            3,
            tmp_path / "report2",
            years=10,
            ensemble=ens,
            on_batch=stop,
        )
    assert len(list((tmp_path / "report2" / "ensemble" / "runs").glob("batch-*.parquet"))) == 4
    assert not (tmp_path / "report2" / "ensemble_runs.parquet").exists()
    outs = []
    for k, workers in ((1, "2"), (2, "1")):
        out = tmp_path / f"report{k}"
        res = cli_inprocess(
            "compare", "baseline", "continuous_funding", "symbiosis_centre", "--cases", "A13,A20", "--ensemble", str(ens),
            "--replications", "3", "--years", "10", "--workers", workers, "--no-pdf", "--out", str(out),
        )  # fmt: skip
        assert res.returncode == 0, res.stderr
        assert "across 3 calibrated parameter sets" in res.stdout
        outs.append(out)
    runs = pd.read_parquet(outs[0] / "ensemble_runs.parquet")
    assert len(runs) == 3 * 2 * 3 * 3 and sorted(runs["member"].unique()) == [0, 1, 2] and runs["error"].isna().all()
    # common random numbers: every member, case and package ran seeds 0..2
    assert (runs.groupby(["member", "case", "arm"])["seed"].apply(sorted).map(tuple) == (0, 1, 2)).all()
    # each member's values were applied: the members' baselines differ
    base = runs[runs["arm"] == "baseline"].groupby("member")["exchange_years"].apply(tuple)
    assert base.nunique() > 1
    digests = [hashlib.sha256((o / "ensemble_runs.parquet").read_bytes()).hexdigest() for o in outs]
    assert digests[0] == digests[1]
    md = [(o / "report.md").read_text(encoding="utf-8") for o in outs]
    assert _section(md[0]) == _section(md[1])
    sec = _section(md[0])
    assert "in 'ens' (all 3 sets)" in sec and "seeds 0..2" in sec and "ranks first" in sec and "regret" in sec
    assert "Bjuv" in sec and "Sävsjö" in sec and "](figures/ensemble_effects.png)" in sec
    assert CONFIG_KEY.findall(re.sub(r"\]\([^)]*\.png\)", "]", sec)) == []  # config keys only where a reader reruns the numbers
    head = md[0][: md[0].index("## Robustness")]
    assert head.count("Across 3 calibrated parameter sets,") == 2  # the bottom line of each case
    html_text = (outs[0] / "report.html").read_text(encoding="utf-8")
    assert 'id="robustness"' in html_text and "Robustness across the calibrated ensemble" in html_text
    tail = md[0].split("## Reproducibility")[1]
    assert "params.trust.established: 0.15 to 0.35" in tail and hashlib.sha256((ens / "ensemble.parquet").read_bytes()).hexdigest() in tail
