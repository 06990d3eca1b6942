"""Plain words for the report: lever, outcome and package names a person understands, and a glossary.

This is the one place that maps the model's names to the report's words. Config keys (``policy.*``,
``params.*``, snake_case names) belong only in the report's reproducibility section; everything a
reader meets before it goes through :func:`lever_name`, :func:`lever_phrase` and :func:`package_label`.
"""

from __future__ import annotations

import re
from typing import Any

# lever -> (plain name, how a value reads); the unit words follow the value
LEVER_NAMES: dict[str, str] = {
    "funding_gap_months": "months between facilitation projects",
    "funding_anchor_eligible": "project money may fund work with large anchor firms",
    "facilitator_base_funding_sek_per_year": "permanent base funding per facilitator (SEK a year)",
    "startup_guarantee_share": "public guarantee of a start-up's investment (share)",
    "permit_time_factor": "permit and plan times (share of today's)",
    "land_reservation": "free industrial land beside hubs reserved",
    "eed_heat_mandate": "residual-heat assessments of large installations enforced",
    "investment_support_symbiosis_eligible": "investment support counts a new establishment's emission cut",
    "investment_support_budget_factor": "investment-support budgets (multiple of today's)",
    "landfill_tax_sek_per_t": "landfill tax (SEK per tonne)",
    "co2_price_sek_per_t": "carbon price on avoided emissions (SEK per tonne)",
}

# the authorities' own work a lever needs, priced by an assumption the reader may replace
ASSUMED_PRICE_WORDS: dict[str, str] = {
    "land_reservation": "interest forgone on each free plot held in reserve",
    "permit_time_factor": "the authority's extra handling of each sandbox permit case",
    "eed_heat_mandate": "the authority's supervision of each heat assessment",
}

GLOSSARY: dict[str, str] = {
    "exchange-year": "one exchange of a residual stream (heat, water, ash, ...) between two firms, operating for one year; "
    "ten exchanges running for two years make twenty exchange-years. It measures how much symbiosis there was.",
    "package": "a set of policy measures run together in the model (a single measure is a package of one).",
    "baseline": "each place as it is today, with its own funding and rules; every package is compared with it.",
    "paired runs": "every package is run on the same simulated histories (the same random seeds) as the baseline, "
    "so a difference comes from the policy, not from luck.",
    "95 % interval": "the range the true average lies in with 95 % confidence, given the runs; an interval that "
    "reaches or crosses zero means no clear effect.",
    "Wilson and Newcombe intervals": "the intervals for a share of runs (Wilson's, which stays within 0-100 %) and for "
    "the difference of two shares on the same seeds (Newcombe's, for paired yes/no outcomes such as collapse).",
    "no clear effect": "the interval of the difference from the baseline reaches zero: the runs cannot tell the "
    "package's effect from none.",
    "collapse (3-2 rule)": "the cluster once worked (at least three firms exchanging at least two kinds of resource, "
    "Chertow 2007) and had stopped working by the end of the run.",
    "public money": "what the public sector pays in the model: its share of facilitation projects, base funding, "
    "investment grants, guarantees paid out and the authorities' own work (priced by assumption).",
    "cost-effectiveness": "extra public money per extra exchange-year compared with the baseline; lower is better.",
    "dominated": "another package gives at least as much effect for no more public money (on the averages), so this "
    "one should not be chosen on these outcomes alone.",
    "extended dominance": "a mix of two cheaper and dearer packages would buy the same effect for less money; "
    "the package lies above the line of best buys.",
    "budget cap": "a programme's yearly appropriation was used up, so spending was limited by the budget, not by "
    "the policy; a package that 'costs nothing extra' under a cap may only be showing the cap.",
}

# a config key or code name: dotted keys, and words joined by underscores
CONFIG_KEY = re.compile(
    r"\b(?:policy|params|regions|facilitators|municipalities|firms|observation)\.[A-Za-z_][\w.]*|\b[a-z0-9]+(?:_[a-z0-9]+)+\b"
)


def lever_name(lever: str) -> str:
    """A lever in words; an unknown one with its underscores turned into spaces."""
    return LEVER_NAMES.get(lever, lever.replace("_", " "))


def value_text(v: Any) -> str:
    """Values as a reader writes them: yes/no, 1,200,000, 0.5."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float) and v.is_integer():
        return f"{int(v):,}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def lever_phrase(lever: str, value: Any) -> str:
    """'landfill tax (SEK per tonne): 1,450', or just the name for a switch turned on."""
    if isinstance(value, bool):
        return lever_name(lever) if value else f"not: {lever_name(lever)}"
    return f"{lever_name(lever)}: {value_text(value)}"


def levers_text(levers: dict[str, Any]) -> str:
    return "; ".join(lever_phrase(k, v) for k, v in levers.items()) or "no measure changed"


def package_label(name: str) -> str:
    """A package's short name in tables and figures: its file name in words."""
    return name.replace("_", " ")


def strip_keys(text: str) -> str:
    """Drop parenthesised config keys from a description written for the package file."""
    text = re.sub(r"\s*\((?:[^()]*\b(?:params|policy)\.[\w.]+[^()]*)\)", "", text)
    return CONFIG_KEY.sub(lambda m: m.group(0).rsplit(".", 1)[-1].replace("_", " "), text)
