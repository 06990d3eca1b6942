"""Project funding of facilitation (patterns P2, P8, P10).

Almost all initiatives have needed public project money (§3.3). A facilitator lives on projects: a
programme pays its funding rate of the facilitator's cost for a project's length, the partners are
asked for the rest and pay only as far as they are willing and able (their cash, the value they
got from exchanges so far, and how many share the bill: Olson 1965), so a low funding rate means
less facilitation (§3.4.2). Programmes have yearly appropriations and calls open in given years
(§3.3); a grant commits the public share year by year and the money is paid month by month. When a
project ends the next starts after ``policy.funding_gap_months`` if a programme can pay it; a
funder expecting a self-sustaining business model (§3.2) grants less often to a network that has
no fee base by then. Regional development money is for SMEs unless ``policy.funding_anchor_eligible``
(§3.4.2, MOLEKYL A25). Permanent base funding and membership fees scaled by firm size (High Coast,
A2) are the alternatives. Public money and the firms' own money are kept apart.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import compress
from typing import TYPE_CHECKING

import numpy as np

from agents.facilitator import Project
from agents.firm import Role
from agents.region import project_needs
from sim.core.events import EventKind
from sim.core.params import Strict, Switch, param
from sim.core.partners import VECTOR_MIN, Partners, partners, pay, pay_many

if TYPE_CHECKING:
    from agents.facilitator import Facilitator
    from agents.firm import Firm
    from agents.region import Programme
    from sim.core.exchange import Exchange
    from sim.core.model import SymbiosisModel


ODD = "submodel-project_funding"  # its section in docs/odd.md
SWITCH = Switch("Facilitation lives on project funding.", "report §3.3 and §3.4.2 (project funding), P2, P8, P10")
LEVERS = ("funding_gap_months", "funding_anchor_eligible", "facilitator_base_funding_sek_per_year")


class Params(Strict):
    approval_probability: float = param(
        0.8,
        "probability per application",
        "assumption: most symbiosis applications are granted eventually (§3.3)",
        "Chance an application to a programme is granted.",
        ge=0,
        le=1,
    )
    cofinanced_by_partners: bool = param(
        True,
        "switch",
        "§3.3: projects are co-financed by the partners' own money (A3 Händelö: ERDF plus the main actors' own money)",
        "Whether the partners are asked for the part of a project's cost the programme does not pay (they pay as far "
        "as willing and able); off, a project funds only its programme's share.",
    )
    initial_project_funding_rate: float = param(
        0.5,
        "share of the facilitator's cost (0-1)",
        "as a programme's default funding_rate (§3.4.2); value: assumption",
        "Programme share of the cost of a project already running at the start (facilitators.*.initial_project_months).",
        ge=0,
        le=1,
    )
    partner_base_willingness: float = param(
        0.5,
        "share of a partner's equal part (0-1)",
        "§3.4.2: actors find it hard to put time and money into symbiosis work; value: assumption",
        "Share of its equal part of the co-financing a lone partner pays before it has any value from exchanges.",
        ge=0,
        le=1,
    )
    benefit_half_sek: float = param(
        1.0e6,
        "SEK",
        "§3.3: the firms that gain finance the network (a strong constellation of large firms); value: assumption",
        "Value from exchanges so far at which a partner's willingness is half-way from the base to its whole part.",
        gt=0,
    )
    free_riding_exponent: float = param(
        0.25,
        "exponent (0 = no free-riding)",
        "Olson (1965): the larger the group, the less each member pays for a collective good; value: assumption",
        "Each partner's willingness is scaled by (number of partners)^-exponent.",
        ge=0,
        le=2,
    )
    cash_share_per_month: float = param(
        0.02,
        "share of cash per month (0-1)",
        "§3.2: small firms must secure financing step by step; value: assumption",
        "Largest share of its cash a partner can put into the common work in one month (a partner without cash pays nothing).",
        ge=0,
        le=1,
    )
    fee_base_share: float = param(
        0.25,
        "share of the facilitator's cost (0-1)",
        "§3.2: funders expect a project to find a lasting business model; value: assumption",
        "Share of the facilitator's cost the firms' own money (fees, co-financing) must cover in a project's last "
        "month for the network to count as having a fee base.",
        ge=0,
        le=1,
    )
    no_fee_base_approval_factor: float = param(
        0.5,
        "multiple of approval_probability (0-1)",
        "§3.2: the funder's ambition is a business model that needs no new applications; value: assumption",
        "Approval chance of the next application to a public programme, relative to the normal, after a project ended without a fee base.",
        ge=0,
        le=1,
    )


class State:
    """Per municipality, the facilitation rate of a firm there (flat: ``2 * municipality`` other
    firms, ``+ 1`` anchors); per firm, the value it got from exchanges so far (SEK), which makes it
    willing to co-finance."""

    def __init__(self) -> None:
        self.by_municipality: np.ndarray | None = None
        self.benefit_sek: defaultdict[int, float] = defaultdict(float)  # a missing firm's is 0.0 (float())
        # per facilitator (the object: indices change when one closes), its partners as of (firms, alive)
        self.partners: dict[Facilitator, Partners] = {}
        # per facilitator: (the register's versions and its area, the member turnover then)
        self.turnover: dict[Facilitator, tuple[tuple[int, int, int, tuple[int, ...]], float]] = {}
        # the last refresh's firms and rates (a new object only when they change: matching keeps its
        # search ceiling while the object is the same)
        self.refreshed: tuple[int, list[float]] | None = None


def refresh_facilitation(model: SymbiosisModel) -> None:
    """Per firm: engagement times the share of funded time that may go to it.

    Kept per municipality too, so that a firm entering before the next refresh gets its rate
    without a pass over all firms. Called every month; when no municipality's rates changed and
    no firm arrived, the firms' rates are already right and the pass is skipped (the maxima are
    taken in plain Python: a few facilitators, the same values as an elementwise np.maximum).
    """
    arrays = model.firm_arrays
    n = arrays.n
    flat = [0.0] * (2 * len(model.municipalities))  # per municipality: other firms, anchors
    for fac in model.facilitators:
        engagement = fac.engagement
        other, anchor = engagement * fac.funded_share, engagement * fac.anchor_coverage
        for m in fac.municipalities:
            i = 2 * m
            if other > flat[i]:  # max(flat[i], other)
                flat[i] = other
            if anchor > flat[i + 1]:
                flat[i + 1] = anchor
    st = model.state.project_funding
    kept = st.refreshed
    if kept is not None and kept[0] == n and kept[1] == flat:
        return
    by_muni = np.array(flat)
    arrays.facilitation_rate[:n] = by_muni[arrays.municipality_role()]
    st.by_municipality = by_muni
    st.refreshed = (n, flat)


def highest_rate(model: SymbiosisModel) -> float | None:
    """The highest facilitation rate the last refresh set in any municipality (None before one)."""
    refreshed = model.state.project_funding.refreshed
    if refreshed is None:
        return None
    return max(refreshed[1], default=0.0)  # the rates start at 0.0 and only rise


def on_built(model: SymbiosisModel) -> None:
    refresh_facilitation(model)


def on_firm_added(model: SymbiosisModel, firm: Firm) -> None:
    """A firm arriving during a run gets the rate of its municipality at once."""
    table = model.state.project_funding.by_municipality
    if table is not None:
        model.firm_arrays.facilitation_rate[firm.idx] = table[2 * firm.municipality + (firm.role == Role.ANCHOR)]


def on_delivery(model: SymbiosisModel, ex: Exchange) -> None:
    """Both sides book the month's value of the exchange: what makes a partner willing to co-finance."""
    benefit = model.state.project_funding.benefit_sek
    benefit[ex.supplier] += ex.supplier_net_sek_per_month
    benefit[ex.receiver] += ex.receiver_net_sek_per_month


def member_turnover_sek_per_month(model: SymbiosisModel, fac: Facilitator) -> float:
    """Turnover of the firms in the facilitator's area that take part in an exchange (for member fees).

    It depends only on which firms are alive and which operate, so it is kept per facilitator until
    an exchange starts or ends or a firm arrives or leaves (a pass over every firm otherwise)."""
    if fac.membership_fee_share <= 0:
        return 0.0
    arrays = model.firm_arrays
    key = (model.ledger.arrays.operating_version, arrays.n, arrays.n_alive, tuple(fac.municipalities))
    kept = model.state.project_funding.turnover
    if (got := kept.get(fac)) is not None and got[0] == key:
        return got[1]
    # the partners are the firms alive in the area in index order; those with an exchange operating
    # (Firm.operating > 0: a count kept as a float) are read from the register's column in one step
    table = partners(model, fac, model.state.project_funding.partners)
    members = compress(table.firms, (arrays.operating[table.at] >= 1.0).tolist())
    value = sum(f.turnover_sek_per_year for f in members) / 12.0
    kept[fac] = (key, value)
    return value


def willingness(p: Params, benefit_sek: float, n_partners: int) -> float:
    """Share of its equal part of the co-financing a partner is willing to pay.

    It rises from ``partner_base_willingness`` towards 1 with the value the partner got from
    exchanges so far, and falls with the number of partners who share the bill (free-riding).
    """
    return _own(p.partner_base_willingness, p.benefit_half_sek, benefit_sek) * _scale(p, n_partners)


def _own(base: float, half: float, benefit_sek: float) -> float:
    """:func:`willingness` before free-riding (``base``, ``half``: the parameters, read once by a loop)."""
    b = max(benefit_sek, 0.0)
    return base + (1.0 - base) * b / (b + half)


def _scale(p: Params, n_partners: int) -> float:
    """The free-riding factor of :func:`willingness`: the same for every partner of one bill."""
    return float(n_partners) ** -p.free_riding_exponent


def cofinance(model: SymbiosisModel, fac: Facilitator, rest_sek: float) -> tuple[float, float]:
    """The partners pay towards ``rest_sek`` (the month's cost the programme does not pay) as far as
    they are willing and able; what they pay leaves their cash. Returns the SEK paid by firms and
    by municipal utilities (whose money is public).

    Each partner's share is :func:`willingness`, computed in :mod:`sim.core.partners`: in a loop, and
    from ``VECTOR_MIN`` partners on the same arithmetic in numpy.
    """
    if rest_sek <= 0:
        return 0.0, 0.0
    table = partners(model, fac, model.state.project_funding.partners)
    idx = table.idx
    if len(idx) == 0:
        return 0.0, 0.0
    p = model.params.project_funding
    n = len(idx)
    part, scale = rest_sek / n, _scale(p, n)
    base, half = p.partner_base_willingness, p.benefit_half_sek
    no_benefit = _own(base, half, 0.0) * scale  # willingness(p, 0.0, n)
    benefit = model.state.project_funding.benefit_sek
    bill = (base, 1.0 - base, half, scale, part, no_benefit * part, p.cash_share_per_month)
    if n >= VECTOR_MIN:
        return pay_many(benefit, table, bill)
    public = table.public  # most areas have no utility among the partners: nothing to pay there
    return pay(benefit, *table.private, bill), pay(benefit, *public, bill) if public[0] else 0.0


def _programme_for(model: SymbiosisModel, fac: Facilitator, year: int) -> tuple[int, dict[int, float]] | None:
    """The region's first programme with a call open in ``year`` that can pay one more project, if any."""
    region = model.regions[fac.region]
    if not region.programmes:  # many regions have none: a facilitator there asks every month
        return None
    for k, prog in enumerate(region.programmes):
        if not prog.is_open(year):
            continue
        needs = project_needs(model.config.start_year, model.steps, prog.project_length_months, fac.cost_sek_per_month * prog.funding_rate)
        if prog.can_fund(needs, model.config.start_year):
            return k, needs
    return None


def approval_probability(model: SymbiosisModel, fac: Facilitator, prog: Programme) -> float:
    """A public funder grants less often to a network that ended its last project without a fee base."""
    p = model.params.project_funding
    weak = prog.public and fac.no_fee_base
    return p.approval_probability * (p.no_fee_base_approval_factor if weak else 1.0)


def _apply(model: SymbiosisModel, fac: Facilitator, year: int) -> None:
    found = _programme_for(model, fac, year)
    if found is None:
        return
    k, needs = found
    prog = model.regions[fac.region].programmes[k]
    if model.rng.random() >= approval_probability(model, fac, prog):
        fac.next_project_step = model.steps + prog.call_interval_months
        model.log(EventKind.FUNDING_DENIED, facilitator=fac.name, detail=prog.name, programme=prog.name)
        return
    anchor_ok = model.config.policy.funding_anchor_eligible or prog.anchor_eligible
    monthly = fac.cost_sek_per_month * prog.funding_rate
    fac.project = Project(k, model.steps, model.steps + prog.project_length_months, monthly, anchor_ok, public=prog.public)
    prog.commit(needs)
    total = monthly * prog.project_length_months
    model.log(
        EventKind.PROJECT_STARTED,
        facilitator=fac.name,
        detail=f"{prog.name}: {total / 1e6:.1f} MSEK",
        programme=prog.name,
        amount_sek=total,
    )


def _end_project(model: SymbiosisModel, fac: Facilitator) -> None:
    """Close the project; without a fee base by then the next public application is weaker (§3.2)."""
    p = model.params.project_funding
    fac.no_fee_base = fac.partners_share + fac.fees_share < p.fee_base_share
    model.log(EventKind.PROJECT_ENDED, facilitator=fac.name)
    fac.project = None
    fac.next_project_step = model.steps + model.config.policy.funding_gap_months


def step(model: SymbiosisModel) -> None:
    """Run projects, apply for new ones, pay the month and set each facilitator's funded capacity."""
    facilitators = model.facilitators
    if not facilitators:
        return
    on = model.switches.project_funding
    cofinanced = model.params.project_funding.cofinanced_by_partners
    base = model.config.policy.facilitator_base_funding_sek_per_year / 12.0
    now = model.steps
    year = model.date_of(now)[0]  # the programmes pay out of this calendar year's appropriation
    for fac in facilitators:
        project = fac.project
        if project is not None and now >= project.end_step:
            _end_project(model, fac)
            project = None
        if on and project is None and now >= fac.next_project_step:
            _apply(model, fac, year)
            project = fac.project
        if not on:
            project = None
        cost = fac.cost_sek_per_month
        share = fac.membership_fee_share
        fees = share * (0.0 if share <= 0 else member_turnover_sek_per_month(model, fac))
        if project is None:
            paid = own = utilities = 0.0
        else:
            paid = project.public_sek_per_month
            own, utilities = cofinance(model, fac, cost - paid - base - fees) if cofinanced else (0.0, 0.0)
            if project.programme >= 0:
                model.regions[fac.region].programmes[project.programme].pay(year, paid)
            project.partners_paid_sek += own + utilities
        partners_paid = own + utilities
        fac.partners_share = partners_paid / cost
        fac.fees_share = fees / cost
        capacity = paid + partners_paid if on else cost  # with the mechanism off, funding never binds
        funded = (capacity + base + fees) / cost
        fac.funded_share = funded if funded < 1.0 else 1.0  # min(1.0, funded)
        anchor_ok = not on or (project is not None and project.anchor_eligible)
        anchor = (base + fees + (capacity if anchor_ok else 0.0)) / cost
        fac.anchor_coverage = anchor if anchor < 1.0 else 1.0
        if on:
            public = paid if project is not None and project.public else 0.0
            fac.public_sek_this_step = public + utilities + base
            fac.private_sek_this_step = paid - public + own + fees
        else:
            fac.public_sek_this_step = fac.private_sek_this_step = 0.0
        model.add_public_spending(fac.public_sek_this_step)
        model.add_private_spending(fac.private_sek_this_step)


def covers(fac: Facilitator, role: Role) -> float:
    """Share of a facilitator's capacity that may be spent on a firm of this role."""
    return fac.anchor_coverage if role == Role.ANCHOR else fac.funded_share
