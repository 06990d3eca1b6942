"""symbiosis calibrate, the fast part: spec validation, the implausibility measure, the default parameter list."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from sim.calibrate import implausibility as imp
from sim.calibrate import spec as cspec
from sim.cli import app
from sim.config import ConfigError, ScenarioConfig

YES = imp.Fact("A1", "yes", False, True, np.nan, np.nan, 0.1)
NO = imp.Fact("A1", "no", False, False, np.nan, np.nan, 0.1)
COUNT = imp.Fact("A1", "count", True, False, 8.0, 13.0, 0.1 * imp.range_scale(8.0, 13.0))


def _problems(data: dict) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        cspec.validate(cspec.parse(data), "test")
    return exc.value.problems


def test_a_yes_fact_share_at_or_above_half_is_plausible_and_far_below_is_not() -> None:
    # 0.75 of 4 seeds: inside (0.5, 1]
    assert imp.simulated(YES, np.array([4]), np.array([0.75]), np.array([np.nan]))[0] == 0.0
    # 0.25 of 4: distance 0.25 over the Jeffreys share (1 + 1/2)/5 = 0.3's variance 0.3 * 0.7 / 4, + 0.1^2
    got = imp.simulated(YES, np.array([4]), np.array([0.25]), np.array([np.nan]))[0]
    assert got == pytest.approx(0.25 / np.sqrt(0.3 * 0.7 / 4 + 0.01))
    # every seed misses: four seeds cannot rule the point out (0.5 over (0.1 * 0.9 / 4 + 0.01)^0.5 = 2.8), eight can (3.9)
    four = imp.simulated(YES, np.array([4]), np.array([0.0]), np.array([np.nan]))[0]
    assert four == pytest.approx(0.5 / np.sqrt(0.1 * 0.9 / 4 + 0.01)) and four < 3.0
    eight = imp.simulated(YES, np.array([8]), np.array([0.0]), np.array([np.nan]))[0]
    assert eight == pytest.approx(0.5 / np.sqrt((0.5 / 9) * (8.5 / 9) / 8 + 0.01)) and eight > 3.0
    # expected false: mirrored
    assert imp.simulated(NO, np.array([4]), np.array([1.0]), np.array([np.nan]))[0] == pytest.approx(four)
    assert imp.simulated(NO, np.array([4]), np.array([0.25]), np.array([np.nan]))[0] == 0.0


def test_a_count_fact_is_judged_by_its_distance_from_the_range() -> None:
    scale = imp.range_scale(8.0, 13.0)
    assert scale == pytest.approx(10.5)  # the range's middle, larger than its width
    assert imp.simulated(COUNT, np.array([4]), np.array([10.0]), np.array([9.0]))[0] == 0.0
    got = imp.simulated(COUNT, np.array([4]), np.array([14.57]), np.array([2.0]))[0]
    assert got == pytest.approx((14.57 - 13.0) / np.sqrt(2.0 / 4 + 1.05**2))
    low = imp.simulated(COUNT, np.array([1]), np.array([2.0]), np.array([np.nan]))[0]
    assert low == pytest.approx(6.0 / 1.05)  # one seed: no sampling variance
    assert np.isnan(imp.simulated(COUNT, np.array([0]), np.array([np.nan]), np.array([np.nan]))[0])


def test_a_share_never_has_zero_sampling_variance_so_zero_discrepancy_stays_finite() -> None:
    f = imp.Fact("A1", "yes", False, True, np.nan, np.nan, 0.0)
    got = imp.simulated(f, np.array([3]), np.array([0.0]), np.array([0.0]))[0]
    assert got == pytest.approx(0.5 / np.sqrt((0.5 / 4) * (3.5 / 4) / 3))
    assert imp.simulated(f, np.array([3]), np.array([1.0]), np.array([0.0]))[0] == 0.0
    assert np.isinf(imp.ratio(np.array([0.5]), np.array([0.0]), 0.0)[0])  # a certain estimate outside: infinitely implausible


def test_the_rule_leaves_structural_facts_out() -> None:
    table = pd.DataFrame({"point": [0, 0, 1, 1], "fact": ["A1/a", "A1/b", "A1/a", "A1/b"], "implausibility": [0.5, 4.0, 3.5, 5.0]})
    facts = [imp.Fact("A1", "a", False, True, np.nan, np.nan, 0.1), imp.Fact("A1", "b", False, True, np.nan, np.nan, 0.1)]
    assert imp.structural(facts, table, [0, 1], 3.0) == ["A1/b"]
    assert imp.accepted(table, [0, 1], ["A1/b"], 3.0) == {0: True, 1: False}
    assert imp.accepted(table, [0, 1], [], 3.0) == {0: False, 1: False}
    assert imp.accepted(table, [0, 1], [], 3.0, misses=1) == {0: True, 1: False}  # point 1 misses both
    assert imp.accepted(table, [0, 1], [], 3.0, misses=2) == {0: True, 1: True}


def test_the_default_parameters_are_the_assumptions_over_half_to_twice_their_default() -> None:
    params = {k: (lo, hi) for k, lo, hi in cspec.assumption_parameters()}
    defaults = ScenarioConfig().params
    assert params["params.trust.threshold"] == (0.2, 0.8)  # source: "assumption: ..."
    assert "params.trust.established" not in params  # source: §2.3.1
    assert params["params.project_funding.approval_probability"] == (0.4, 1.0)  # 2 x 0.8 clipped to le=1
    assert params["params.matching.candidates"] == (8.0, 32.0)  # an integer field
    lo, hi = params["params.benefit.receiver_share"]  # lt=1: kept inside the open bound
    assert lo == 0.25 and 0.98 < hi < 1.0
    assert "params.firm_exit.hazard_utility" not in params  # default 0: no range
    for key, (lo, hi) in params.items():
        node = defaults
        for part in key.split(".")[1:]:
            node = getattr(node, part)
        assert lo <= float(node) <= hi, key


def test_spec_problems_name_field_value_and_what_is_allowed() -> None:
    problems = _problems(
        {
            "cases": ["A16", "A99"],
            "parameters": [{"key": "params.trust.nonsense", "range": [0, 1]}],
            "design": {"kind": "lhs", "samples": 4},
        }
    )
    assert any("A99: no such case (allowed:" in p for p in problems)
    problems = _problems(
        {
            "cases": ["A16"],
            "parameters": [
                {"key": "params.trust.nonsense", "range": [0, 1]},
                {"key": "params.trust.threshold", "range": [0.6, 0.2]},
                {"key": "params.trust.established", "range": [0.1, 1.5]},
                {"key": "policy.funding_gap_months", "range": [1, 2]},
            ],
            "design": {"kind": "sobol", "samples": 6},
        }
    )
    text = "\n".join(problems)
    assert "parameters.0 (params.trust.nonsense).key: unknown key 'nonsense' (allowed: params.trust.established" in text
    assert "parameters.1 (params.trust.threshold).range: value [0.6, 0.2] is empty (allowed: low < high)" in text
    assert "parameters.2 (params.trust.established): value 1.5 gives an invalid scenario" in text
    assert "parameters.3 (policy.funding_gap_months).key: not a mechanism parameter" in text
    assert "design.samples: value 6 is not a power of 2" in text
    schema = _problems({"waves": 0, "seeds": 2, "acceptance": {"cutoff": -1}, "extra": 1})
    joined = "\n".join(schema)
    assert "waves: value 0 is invalid" in joined and "(allowed: >= 1)" in joined
    assert "acceptance.cutoff: value -1 is invalid" in joined and "extra: unknown key" in joined


def test_a_bad_spec_exits_2_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"cases": ["A16"], "design": {"kind": "grid"}}), encoding="utf-8")
    res = CliRunner().invoke(app, ["calibrate", str(path), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2, res.output
    assert "design.kind: value 'grid' is not allowed (allowed: 'lhs' or 'sobol')" in res.output and "Traceback" not in res.output


def test_a_non_empty_directory_is_not_overwritten_without_resume(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(
        yaml.safe_dump(
            {"cases": ["A16"], "parameters": [{"key": "params.trust.threshold", "range": [0.2, 0.6]}], "design": {"samples": 2}}
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    out.mkdir()
    (out / "something").write_text("x", encoding="utf-8")
    res = CliRunner().invoke(app, ["calibrate", str(path), "--out", str(out), "--workers", "1"])
    assert res.exit_code == 2 and f"--out {out}: not empty" in res.output and "--resume" in res.output
    res = CliRunner().invoke(app, ["calibrate", str(path), "--out", str(out), "--workers", "1", "--resume"])
    assert res.exit_code == 2 and "no readable manifest.json" in res.output


def test_the_designs_are_seeded() -> None:
    from sim.calibrate.engine import design

    a, b = design("lhs", 3, 8, seed=5, wave=1), design("lhs", 3, 8, seed=5, wave=1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, design("lhs", 3, 8, seed=6, wave=1)) and not np.array_equal(a, design("lhs", 3, 8, seed=5, wave=2))
    s = design("sobol", 2, 8, seed=5, wave=1)
    assert s.shape == (8, 2) and ((s >= 0) & (s < 1)).all()


def test_the_emulator_screen_rules_out_where_a_fact_fails() -> None:
    """A yes-fact whose share rises with the first parameter (0 at the low end, 1 at the high end):
    the emulator keeps the candidates of the upper part and drops the lower part."""
    rng = np.random.default_rng(3)
    u = rng.random((40, 2))
    est = pd.DataFrame({"point": np.arange(40), "fact_id": "A1/yes", "n": 8, "estimate": np.round(u[:, 0] * 8) / 8, "var": np.nan})
    units = pd.DataFrame(u, columns=["unit:a", "unit:b"], index=pd.Index(np.arange(40), name="point"))
    cand = rng.random((400, 2))
    alive, shares = imp.screen([YES], est, units, cand, 3.0, [], seed=0)
    assert 0.02 < shares["A1/yes"] < 0.6
    assert cand[alive, 0].min() > 0.03 and (cand[~alive, 0] < 0.4).all()
    assert imp.screen([YES], est, units, cand, 3.0, [], seed=0, misses=1)[0].all()  # one fact may be missed
    alive_all, shares_none = imp.screen([YES], est, units, cand, 3.0, ["A1/yes"], seed=0)
    assert alive_all.all() and shares_none == {}  # an excluded (structural) fact rules nothing out


def test_a_parameter_narrows_by_any_one_test_and_the_chance_of_luck_is_binomial() -> None:
    from sim.calibrate.report import by_chance, narrowed_by

    row = {"ks_p": 0.2, "mw_p": 0.2, "iqr_ratio": 0.5}
    assert not narrowed_by(row, members=13)  # an IQR from 13 members is too rough to count
    assert narrowed_by(row, members=20)
    assert narrowed_by({**row, "mw_p": 0.002}, members=13)  # accepted points lie elsewhere than the ruled-out ones
    assert narrowed_by({**row, "ks_p": 0.005}, members=13)
    assert not narrowed_by({**row, "mw_p": None}, members=13)
    assert by_chance(0, 10) == 1.0
    assert by_chance(1, 10) == pytest.approx(1 - 0.99**10)
    assert by_chance(2, 10) == pytest.approx(1 - 0.99**10 - 10 * 0.01 * 0.99**9)


def test_command_line_overrides_replace_the_spec_values_and_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(
        yaml.safe_dump({"cases": ["A16"], "waves": 3, "seeds": 8, "design": {"kind": "sobol", "samples": 64}}), encoding="utf-8"
    )
    loaded = cspec.load_spec(path, overrides={"waves": 1, "seeds": 2, "samples": 4})
    assert (loaded.spec.waves, loaded.spec.seeds, loaded.spec.design.samples, loaded.spec.design.kind) == (1, 2, 4, "sobol")
    assert loaded.sha256() != cspec.load_spec(path).sha256()  # a resume under other overrides is another calibration
    res = CliRunner().invoke(app, ["calibrate", str(path), "--out", str(tmp_path / "out"), "--samples", "6"])
    assert res.exit_code == 2 and "design.samples: value 6 is not a power of 2" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(app, ["calibrate", str(path), "--out", str(tmp_path / "out"), "--waves", "0"])
    assert res.exit_code == 2 and "waves: value 0 is invalid" in res.output
