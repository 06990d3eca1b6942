"""Investment support: public programmes that pay a share of an exchange's investment (§2.5.3, §5).

Project support pays facilitators (see project_funding); investment support (Klimatklivet,
Industriklivet, the EU Innovation Fund) pays part of what the firms build. An exchange applies when
its financing starts, to the open programmes of its receiver's region in the order listed; the
first that approves pays ``share`` of the investment, which lowers what the firms must finance and
so their risk of failing to raise it. A programme judges the emission cut of the exchange (its
quantity times the resource's CO2 factor); with ``emission_basis: existing_only`` that cut counts
only against the applicant's existing emissions, so a new establishment has none and is rejected,
as the report says happens (§5). ``policy.investment_support_symbiosis_eligible`` makes every
programme count the symbiosis's whole cut instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agents.firm import Role
from sim.core.events import EventKind
from sim.core.params import Strict, Switch, param
from sim.mechanisms import benefit

if TYPE_CHECKING:
    from agents.firm import Firm
    from sim.config.schema import InvestmentProgrammeConfig
    from sim.core.exchange import Exchange
    from sim.core.model import SymbiosisModel


ODD = "submodel-investment_support"  # its section in docs/odd.md
SWITCH = Switch(
    "Investment-support programmes pay a share of an exchange's investment.",
    "report §2.5.3 and §5 (investment support), A1 and A15 (Klimatklivet)",
)
LEVERS = ("investment_support_symbiosis_eligible", "investment_support_budget_factor")

# why an application is turned down (the ``reason`` of an ``investment_grant_denied`` event)
NOT_COVERED = "resource_not_covered"
NOT_SME = "not_sme"
NO_INVESTMENT = "no_investment"
TOO_SMALL = "investment_too_small"
NO_EXISTING_EMISSIONS = "no_existing_emissions"
CUT_TOO_SMALL = "cut_too_small"
BUDGET_EXHAUSTED = "budget_exhausted"


class Params(Strict):
    grant_effect: float = param(
        1.0,
        "share of financing risk removed per share of the investment paid",
        "§3.2, §3.4.2: the firms finance their own parts; value: assumption, the risk scales with what is left to raise",
        "How much of each financing decision's failure risk a grant removes, per share of the investment it pays.",
        ge=0,
        le=1,
    )


@dataclass
class Programme:
    """One investment-support programme of a region and what it has committed, by calendar year."""

    rules: InvestmentProgrammeConfig
    committed_by_year: dict[int, float] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.rules.name


@dataclass(frozen=True, slots=True)
class Award:
    """A grant awarded to an exchange, paid out once its financing is secured."""

    region: int
    programme: int
    amount_sek: float
    year: int


class State:
    """Each region's programmes, the awards not yet paid, and the public money paid so far."""

    def __init__(self) -> None:
        self.programmes: list[list[Programme]] = []
        self.awards: dict[int, Award] = {}  # exchange id -> its award, until paid or lapsed
        self.paid_sek = 0.0


def on_built(model: SymbiosisModel) -> None:
    model.state.investment_support.programmes = [[Programme(p) for p in r.investment_programmes] for r in model.config.regions]


def emission_cut_t_per_year(model: SymbiosisModel, ex: Exchange) -> float:
    """CO2 the exchange avoids in a year: its quantity times the catalogue's factor of the replaced resource."""
    return 12.0 * ex.quantity * model.resources[ex.resource].co2_t_per_unit


def is_new_establishment(firm: Firm, ex: Exchange) -> bool:
    """A start-up, a firm that arrived during the run, or a need on new land: none had emissions before."""
    return firm.role == Role.STARTUP or firm.entered_step > 0 or ex.demand.needs_new_land


def counts_whole_cut(model: SymbiosisModel, rules: InvestmentProgrammeConfig) -> bool:
    """Whether the programme counts the symbiosis's whole cut (its own rule or the policy lever), not only existing emissions."""
    return rules.emission_basis == "symbiosis" or model.config.policy.investment_support_symbiosis_eligible


def budget_left(model: SymbiosisModel, prog: Programme, year: int) -> float:
    budget = prog.rules.budget_sek_per_year * model.config.policy.investment_support_budget_factor
    return budget - prog.committed_by_year.get(year, 0.0)


def is_open(prog: Programme, year: int) -> bool:
    rules = prog.rules
    return (rules.open_from_year is None or year >= rules.open_from_year) and (
        rules.open_until_year is None or year <= rules.open_until_year
    )


def decide(model: SymbiosisModel, prog: Programme, ex: Exchange, year: int) -> tuple[float, str]:
    """The grant an open programme awards the exchange this year (SEK), or 0 and why not."""
    rules = prog.rules
    if rules.applies_to and ex.resource not in rules.applies_to:
        return 0.0, NOT_COVERED
    if rules.sme_only and model.firms[ex.receiver].is_large:
        return 0.0, NOT_SME
    grant = rules.share * ex.investment_sek
    if grant <= 0.0:
        return 0.0, NO_INVESTMENT
    if ex.investment_sek < rules.min_investment_sek:
        return 0.0, TOO_SMALL
    if not counts_whole_cut(model, rules) and is_new_establishment(model.firms[ex.receiver], ex):
        return 0.0, NO_EXISTING_EMISSIONS
    cut = emission_cut_t_per_year(model, ex)
    if cut <= 0.0 or cut / (grant / 1e6) < rules.min_cut_t_per_msek:
        return 0.0, CUT_TOO_SMALL
    if grant > budget_left(model, prog, year):
        return 0.0, BUDGET_EXHAUSTED
    return grant, ""


def apply(model: SymbiosisModel, ex: Exchange) -> float:
    """The exchange applies to its region's open programmes as its financing starts; the first approval wins.

    Returns the share of the investment granted (0 without a grant). The grant is committed against
    the programme's budget of this year and paid when the financing is secured (:func:`pay`).
    """
    st = model.state.investment_support
    if not model.switches.investment_support or ex.id in st.awards:
        return grant_share(model, ex)
    region = model.municipalities[model.firms[ex.receiver].municipality].region
    year = model.date_of(model.steps)[0]
    for k, prog in enumerate(st.programmes[region]):
        if not is_open(prog, year):
            continue
        grant, why = decide(model, prog, ex, year)
        if grant <= 0.0:
            model.ledger.log(EventKind.INVESTMENT_GRANT_DENIED, ex, programme=prog.name, reason=why)
            continue
        prog.committed_by_year[year] = prog.committed_by_year.get(year, 0.0) + grant
        st.awards[ex.id] = Award(region, k, grant, year)
        model.ledger.log(EventKind.INVESTMENT_GRANT, ex, programme=prog.name, amount_sek=grant)
        break
    return grant_share(model, ex)


def grant_share(model: SymbiosisModel, ex: Exchange) -> float:
    """Share of the exchange's investment its award pays (0 without one)."""
    award = model.state.investment_support.awards.get(ex.id)
    return award.amount_sek / ex.investment_sek if award is not None and ex.investment_sek > 0 else 0.0


def grant_sek(model: SymbiosisModel, ex: Exchange) -> float:
    award = model.state.investment_support.awards.get(ex.id)
    return award.amount_sek if award is not None else 0.0


def pay(model: SymbiosisModel, ex: Exchange) -> None:
    """Financing secured: the grant is paid (public money) and the receiver's capital cost falls by its annuity.

    The receiver carries the annualised investment in the deal (see benefit); the agreed price stays.
    """
    st = model.state.investment_support
    award = st.awards.pop(ex.id, None)
    if award is None:
        return
    model.add_public_spending(award.amount_sek)
    st.paid_sek += award.amount_sek
    p = model.params.benefit
    ex.receiver_net_sek_per_month += award.amount_sek * benefit.annuity_factor(p.discount_rate, p.contract_years)


def on_end(model: SymbiosisModel, ex: Exchange, was_operating: bool) -> None:
    """An exchange that ends before its financing is secured leaves its award unpaid, back in the year's budget."""
    st = model.state.investment_support
    award = st.awards.pop(ex.id, None)
    if award is not None:
        prog = st.programmes[award.region][award.programme]
        prog.committed_by_year[award.year] -= award.amount_sek
