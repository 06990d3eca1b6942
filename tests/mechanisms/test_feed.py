"""Input–output coupling (sim/mechanisms/feed.py): a stream made from a received input follows
that input; when the feeder leaves, the stream shrinks and the newest exchanges on it end.

The first tests use a three-firm chain (a food firm's waste feeds a digester whose biogas heats a
boiler); the later ones run the feed_chain scenario (configs/scenarios/feed_chain.yaml).
"""

from __future__ import annotations

import pytest
from scipy import stats

from sim import config
from sim.config import ConfigError
from sim.core.exchange import EndReason, Stage
from sim.core.model import SymbiosisModel
from sim.mechanisms import feed
from tests.helpers import FEED_CHAIN
from tests.mechanisms import builder as b

LEAVE = {"kind": "firm_exit", "year": b.START_YEAR, "month": 12, "firm": "Foods"}


def _chain(waste: float = 1000.0, **kw):
    """Foods sends its waste to the digester; the digester's biogas is made from it; a boiler wants biogas."""
    return b.new(
        b.firm("Foods", offers=[b.offer("materials", waste, 0.7)]),
        b.firm(
            "Digester", at=(11, 10), demands=[b.demand("materials", 1000, 0.5)], offers=[b.offer("biogas", 500, 0.6, fed_by="materials")]
        ),
        b.firm("Boiler", at=(12, 10), demands=[b.demand("biogas", 400, 0.5)]),
        mechanisms={"trust": False, **kw.pop("mechanisms", {})},
        **kw,
    )


def _biogas(m):
    return b.offer_of(m, "Digester", "biogas")


def test_a_fed_stream_makes_nothing_until_its_input_arrives() -> None:
    m = _chain()
    assert [o.resource for o in b.fed_offers(m)] == ["biogas"] and _biogas(m).quantity == 0.0
    b.step(m, 3)
    assert _biogas(m).quantity == 0.0 and not b.exchanges(m, supplier="Digester")
    assert b.step_until(m, lambda m: b.operating(m, supplier="Digester"), 12)
    assert _biogas(m).quantity == 500.0


def test_a_half_fed_stream_makes_half() -> None:
    m = b.step(_chain(500.0), 8)
    assert feed.fed_share(m, _biogas(m)) == pytest.approx(0.5)
    assert _biogas(m).quantity == pytest.approx(250.0)
    assert [ex.quantity for ex in b.exchanges(m, supplier="Digester")] == [250.0]


def test_when_the_feeder_leaves_the_stream_and_its_exchanges_end() -> None:
    m = _chain(events=[LEAVE])
    b.step(m, 11)
    (ex,) = b.operating(m, supplier="Digester")
    m.step()
    assert _biogas(m).quantity == 0.0
    assert ex.stage is Stage.ENDED and ex.end_reason is EndReason.FEED_LOST


def test_below_the_minimum_load_the_stream_makes_nothing() -> None:
    m = b.step(_chain(500.0, params={"feed": {"min_load_share": 0.6}}), 12)
    assert _biogas(m).quantity == 0.0 and not b.exchanges(m, supplier="Digester")


def test_switched_off_a_fed_stream_is_always_full() -> None:
    m = _chain(mechanisms={"feed": False}, events=[LEAVE])
    assert _biogas(m).quantity == 500.0
    b.step(m, 14)
    assert _biogas(m).quantity == 500.0 and b.operating(m, supplier="Digester")


EXIT_STEP = 75  # Foodtown Foods leaves in March 2014, month 75 of a run from January 2008


def _plant_supplies_after_exit(feed_on: bool, seed: int) -> tuple[bool, bool]:
    """(the plant supplied someone just before the exit, it still supplies someone a year after)."""
    m = SymbiosisModel(config.load(FEED_CHAIN, {"mechanisms.feed": feed_on}), rng=seed)
    plant = b.firm_named(m, "Foodtown Biogas").idx
    before = after = False
    while m.running and m.steps < EXIT_STEP + 12:
        m.step()
        supplying = any(ex.supplier == plant for ex in b.operating(m))
        if m.steps == EXIT_STEP - 1:
            before = supplying
        after = supplying
    return before, after


@pytest.mark.slow
def test_losing_the_input_ends_the_streams_made_from_it() -> None:
    """With the coupling, the plant's customers lose their supply when the anchor's food waste stops."""
    on = [_plant_supplies_after_exit(True, s) for s in range(40)]
    off = [_plant_supplies_after_exit(False, s) for s in range(40)]
    assert sum(b for b, _ in on) >= 5, "the chain must form before the exit in enough runs"
    assert not any(a for _, a in on), "a stream outlived the input it is made from"
    survived_off = sum(a for _, a in off)
    table = [[survived_off, len(off) - survived_off], [0, len(on)]]
    p = stats.fisher_exact(table, alternative="greater").pvalue
    assert p < 0.01, f"supply a year after the exit in {survived_off}/40 runs without coupling vs 0/40 with it, p = {p:.4f}"


def test_a_fed_stream_is_what_its_input_allows_every_month() -> None:
    """Every month of five runs; whether the plant lives to be fed is luck, so it must be fed in some run."""
    grew = False
    for seed in range(5):
        m = SymbiosisModel(config.load(FEED_CHAIN), rng=seed)
        offers = b.fed_offers(m)
        assert [o.resource for o in offers] == ["biogas", "digestate"] and all(o.quantity == 0 for o in offers)
        while m.running:
            m.step()
            for o in offers:
                if not m.firms[o.firm].alive:
                    continue
                share = feed.fed_share(m, o)
                assert o.quantity == pytest.approx(o.base_quantity * share, abs=1e-9)
                assert o.committed <= o.quantity + 1e-9
                grew |= share > 0
        lost = [ex for ex in m.exchanges.values() if ex.end_reason is EndReason.FEED_LOST]
        assert all(any(ex.offer is o for o in offers) and ex.stage is Stage.ENDED for ex in lost)
    assert grew, "the plant never received its input"


def test_fed_by_must_be_a_need_of_the_firm() -> None:
    raw = config.read_yaml(FEED_CHAIN)
    plant = next(i for i, f in enumerate(raw["firms"]) if f["name"] == "Foodtown Biogas")
    raw["firms"][plant]["offers"][0]["fed_by"] = "heat"
    with pytest.raises(ConfigError) as err:
        config.build(raw)
    assert f"firms.{plant}.offers.0.fed_by: value 'heat' is not a need of this firm (allowed: ['materials'])" in err.value.problems


def _with_second_waste_supplier(fed_from: str | None) -> dict:
    """feed_chain with another firm's food waste next to the plant; the plant's streams may name their feeder."""
    raw = config.read_yaml(FEED_CHAIN)
    raw["firms"].append(
        {
            "name": "Other Waste",
            "role": "sme",
            "sector": "food",
            "location_km": [18.5, 19.5],
            "municipality": "Foodtown",
            "offers": [{"resource": "materials", "quantity": 1500, "quality": 0.7}],
        }
    )
    plant = next(f for f in raw["firms"] if f["name"] == "Foodtown Biogas")
    for offer in plant["offers"]:
        offer["fed_from"] = fed_from
    return raw


@pytest.mark.slow
def test_fed_from_counts_only_the_named_feeder() -> None:
    """Fed only by the anchor, the plant stops with the anchor even when another firm still sends it waste."""
    other_fed_after_exit, supplying_after_exit = 0, 0
    for seed in range(15):
        m = SymbiosisModel(config.build(_with_second_waste_supplier("Foodtown Foods")), rng=seed)
        plant, other = b.firm_named(m, "Foodtown Biogas").idx, b.firm_named(m, "Other Waste").idx
        while m.running and m.steps < EXIT_STEP + 12:
            m.step()
        other_fed_after_exit += any(ex.supplier == other and ex.receiver == plant for ex in b.operating(m))
        supplying_after_exit += any(ex.supplier == plant for ex in b.operating(m))
    assert other_fed_after_exit > 0, "the other supplier must still feed the plant in some runs"
    assert supplying_after_exit == 0, "a stream fed only by the anchor outlived the anchor"


def test_fed_from_must_name_another_firm() -> None:
    raw = _with_second_waste_supplier("Nobody")
    with pytest.raises(ConfigError) as err:
        config.build(raw)
    assert any(
        "offers.0.fed_from: value 'Nobody' is invalid (allowed: another firm's name, with fed_by set)" in p for p in err.value.problems
    )


@pytest.mark.slow
def test_below_the_minimum_load_a_fed_stream_makes_nothing() -> None:
    """A plant needing twice what the anchor sends runs at half load: nothing with a 60 % minimum load."""
    raw = config.read_yaml(FEED_CHAIN)
    plant = next(f for f in raw["firms"] if f["name"] == "Foodtown Biogas")
    plant["demands"][0]["quantity"] = 3000  # the anchor sends at most 1,500 t/month

    def supplied_ever(min_load: float, seed: int) -> bool:
        m = SymbiosisModel(config.build(config.apply_overrides(raw, {"params.feed.min_load_share": min_load})), rng=seed)
        idx = b.firm_named(m, "Foodtown Biogas").idx
        while m.running and m.steps < EXIT_STEP:
            m.step()
            assert all(o.quantity in (0.0, pytest.approx(o.base_quantity * feed.fed_share(m, o))) for o in b.fed_offers(m))
        return any(ex.supplier == idx for ex in m.exchanges.values())

    proportional = sum(supplied_ever(0.0, s) for s in range(15))
    minimum = sum(supplied_ever(0.6, s) for s in range(15))
    assert proportional >= 5 and minimum == 0, (proportional, minimum)


@pytest.mark.slow
def test_a_need_only_one_firm_can_meet_takes_nothing_from_others() -> None:
    """With only_from, the plant takes waste from the anchor alone; without it, also from the other firm."""

    def took_from_other(only_from: str | None, seed: int) -> bool:
        raw = _with_second_waste_supplier("Foodtown Foods")
        plant = next(f for f in raw["firms"] if f["name"] == "Foodtown Biogas")
        plant["demands"][0]["only_from"] = only_from
        m = SymbiosisModel(config.build(raw), rng=seed)
        other, biogas = b.firm_named(m, "Other Waste").idx, b.firm_named(m, "Foodtown Biogas").idx
        while m.running:
            m.step()
        # the plant's intake only: firms born in the run may take the other firm's waste too
        return any(ex.supplier == other and ex.receiver == biogas and ex.resource == "materials" for ex in m.exchanges.values())

    assert sum(took_from_other(None, s) for s in range(10)) > 0
    assert not any(took_from_other("Foodtown Foods", s) for s in range(10))
    raw = _with_second_waste_supplier(None)
    next(f for f in raw["firms"] if f["name"] == "Foodtown Biogas")["demands"][0]["only_from"] = "Foodtown Biogas"
    with pytest.raises(ConfigError) as err:
        config.build(raw)
    assert any("demands.0.only_from: value 'Foodtown Biogas' is invalid (allowed: another firm's name)" in p for p in err.value.problems)
