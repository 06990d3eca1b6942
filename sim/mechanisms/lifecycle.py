"""The exchange lifecycle: negotiating → permitting → financing → building → operating → ended.

Each stage's rule lives in its own mechanism module; this module only moves exchanges along,
builds, operates, renews contracts and applies the small disruption hazard of a running exchange.
Long-lived heat exchanges persist for decades when nothing disturbs them (P12: Köping since 1982,
Kemira–Öresundskraft since 1974), because renewal re-checks the same two-sided benefit.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.core.events import EventKind
from sim.core.exchange import EndReason, Stage
from sim.core.params import Strict, param
from sim.mechanisms import benefit, financing, negotiation, permits

if TYPE_CHECKING:
    from sim.core.exchange import Exchange
    from sim.core.model import SymbiosisModel


ODD = "submodel-lifecycle"  # its section in docs/odd.md


class Params(Strict):
    build_months: float = param(
        6.0, "months", "assumption: a heat exchanger and a short pipe", "Mean construction time of a connection.", ge=0
    )
    build_months_per_km: float = param(1.0, "months per km", "assumption: pipe laying", "Extra construction time per km of distance.", ge=0)
    disruption_rate_per_year: float = param(
        0.01,
        "1/year",
        "A7, A11: heat exchanges have lasted since 1974 and 1982; value: assumption",
        "Chance per year that an operating exchange ends for reasons outside the model (process change, quality drift).",
        ge=0,
        le=1,
    )


class State:
    """What lets a month pass over exchanges with nothing due.

    ``next_end``: the earliest contract end of the operating exchanges, kept with the ledger's
    ``operating_version`` it was taken at: most months no contract is up for renewal, and then
    :func:`operate` does not look at each exchange's term. A renewal moves a term, so it forgets it.

    ``next_due``: no pipeline stage ends before this step. Stages are set only here (:func:`begin`
    lowers it, :func:`advance` takes the minimum again after the stages it resolved), and an
    exchange leaving the pipeline can only raise the true minimum; most months nothing is due.

    ``monthly``: the disruption chance per month, kept with the yearly rate it was taken from.
    """

    def __init__(self) -> None:
        self.next_end: tuple[int, float] = (-1, math.inf)
        self.next_due: float = -math.inf
        self.monthly: tuple[float, float] = (math.nan, 0.0)  # (yearly disruption rate, its monthly chance)


def begin(model: SymbiosisModel, ex: Exchange) -> None:
    """A newly opened exchange goes into negotiation."""
    model.ledger.move(ex, Stage.NEGOTIATING, negotiation.months(model, ex))
    st = model.state.lifecycle
    st.next_due = min(st.next_due, ex.stage_until)
    model.ledger.log(EventKind.EXCHANGE_PROPOSED, ex)


def start_operating(model: SymbiosisModel, ex: Exchange) -> None:
    """Built: the exchange operates under a contract of the agreed term."""
    ex.contract_end = model.steps + int(model.params.benefit.contract_years * 12)
    model.ledger.start_operating(ex)


def advance(model: SymbiosisModel) -> None:
    """Resolve every pipeline stage whose time has come."""
    st = model.state.lifecycle
    if model.steps < st.next_due:
        return
    for ex in model.ledger.due():
        if ex.stage is Stage.NEGOTIATING:
            if negotiation.agreed(model, ex):
                model.ledger.move(ex, Stage.PERMITTING, permits.start(model, ex))
            else:
                model.ledger.end(ex, EndReason.NEGOTIATION_FAILED)
        elif ex.stage is Stage.PERMITTING:
            granted = permits.granted(model, ex)
            kind = EventKind.PERMIT_GRANTED if granted else EventKind.PERMIT_DENIED
            model.ledger.log(kind, ex, detail=permits.activity_name(model, ex))
            if granted:
                ex.financing_steps_left = financing.steps(model, model.firms[ex.receiver])
                model.ledger.move(ex, Stage.FINANCING, financing.step_months(model))
            else:
                model.ledger.end(ex, EndReason.PERMIT_DENIED)
        elif ex.stage is Stage.FINANCING:
            if financing.secure_step(model, ex):
                ex.financing_steps_left -= 1
                if ex.financing_steps_left <= 0:
                    model.ledger.log(EventKind.FINANCING_SECURED, ex, detail="")
                    p = model.params.lifecycle
                    model.ledger.move(ex, Stage.BUILDING, int(model.rng.poisson(p.build_months + p.build_months_per_km * ex.distance_km)))
                else:
                    model.ledger.move(ex, Stage.FINANCING, financing.step_months(model))
            else:
                model.ledger.log(EventKind.FINANCING_FAILED, ex, detail="")
                model.ledger.end(ex, EndReason.FINANCING_FAILED)
        elif ex.stage is Stage.BUILDING:
            start_operating(model, ex)
    st.next_due = min((ex.stage_until for ex in model.ledger.pipeline.values()), default=math.inf)


def operate(model: SymbiosisModel) -> None:
    """Deliver this month, renew contracts that end, and apply the disruption hazard."""
    exchanges = model.ledger.operating_snapshot()
    if not exchanges:
        return
    now = model.steps
    st, version = model.state.lifecycle, model.ledger.arrays.operating_version
    rate = model.params.lifecycle.disruption_rate_per_year
    if st.monthly[0] != rate:
        st.monthly = (rate, 1.0 - (1.0 - rate) ** (1.0 / 12.0))
    monthly = st.monthly[1]
    if st.next_end[0] != version:
        st.next_end = (version, min((ex.contract_end for ex in exchanges if ex.contract_end is not None), default=math.inf))
    n = len(exchanges)
    due = None
    if now >= st.next_end[1]:  # a term ends this month
        due = [ex.contract_end is not None and now >= ex.contract_end for ex in exchanges]
        n -= sum(due)
        st.next_end = (-1, math.inf)  # the renewals below move terms
    # one disruption draw per exchange not up for renewal, in order: drawn at once (one by one for a
    # couple, where a scalar call costs half an array's), the same numbers
    rng = model.rng
    drawn = [rng.random() for _ in range(n)] if n <= 2 else rng.random(n).tolist()
    deliver = model.ledger.deliver
    if n == len(exchanges) and min(drawn) >= monthly:  # none renews or ends: all deliver at once
        deliver(exchanges)
        return
    draws = iter(drawn)
    for ex, renew in zip(exchanges, due or [False] * len(exchanges), strict=True):
        deliver((ex,))
        if renew:
            _renew(model, ex)
        elif next(draws) < monthly:
            model.ledger.end(ex, EndReason.DISRUPTED)


def _renew(model: SymbiosisModel, ex: Exchange) -> None:
    """At the end of the term both sides look at the deal again, as if new."""
    supplier, receiver = model.firms[ex.supplier], model.firms[ex.receiver]
    deal = benefit.evaluate(model, ex.offer, ex.demand, supplier, receiver, ex.distance_km, sunk=True, quantity=ex.quantity)
    if deal.viable:
        ex.price_sek_per_unit = deal.price
        ex.contract_end = model.steps + int(model.params.benefit.contract_years * 12)
        ex.supplier_net_sek_per_month = deal.supplier_net
        ex.receiver_net_sek_per_month = deal.receiver_net
        model.ledger.log(EventKind.CONTRACT_RENEWED, ex, detail="")
    else:
        model.ledger.end(ex, EndReason.NOT_RENEWED)
