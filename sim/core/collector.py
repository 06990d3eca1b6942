"""A columnar collector: one row per step, appended to plain lists (cheap on the hot path).

Counts are kept up to date by the model as exchanges start and end, so collection does not scan
the firms; flows are summed while operating exchanges deliver.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd

from sim.core.resources import RESOURCE_NAMES
from sim.mechanisms import trust

if TYPE_CHECKING:
    from sim.core.exchange import Exchange
    from sim.core.model import SymbiosisModel

COLUMNS = (
    "step",
    "year",
    "month",
    "active_exchanges",
    "pipeline_exchanges",
    "participating_firms",
    "firms_alive",
    "startups_alive",
    "co2_avoided_t",
    "virgin_water_saved_m3",
    "heat_delivered_mwh",
    "public_funding_sek",
    "public_funding_step_sek",
    "investment_support_sek",
    "private_funding_sek",
    "private_funding_step_sek",
    "facilitator_engagement",
    "mean_trust",
    "cluster_active",
)


class Collector:
    """Collects the model's time series."""

    def __init__(self, model: SymbiosisModel) -> None:
        self.model = model
        self.data: dict[str, list] = {c: [] for c in COLUMNS}
        for r in RESOURCE_NAMES:
            self.data[f"exchanges_{r}"] = []
            self.data[f"flow_{r}"] = []
        self.active_by_resource = dict.fromkeys(RESOURCE_NAMES, 0)
        self._flow = dict.fromkeys(RESOURCE_NAMES, 0.0)
        self._co2 = self._water = self._heat = 0.0

    def add_flow(self, ex: Exchange) -> None:
        res = self.model.resources[ex.resource]
        q = ex.quantity
        self._flow[ex.resource] += q
        self._co2 += q * res.co2_t_per_unit
        self._water += q * res.water_m3_per_unit
        self._heat += q * res.heat_mwh_per_unit

    def collect(self) -> None:
        m = self.model
        d = self.data
        year, month = m.date_of(m.steps)
        active = sum(self.active_by_resource.values())
        participating = int(np.count_nonzero(m.firm_arrays.operating[: len(m.firms)] > 0))
        resources = sum(1 for v in self.active_by_resource.values() if v > 0)
        obs = m.config.observation
        arrays = m.ledger.arrays
        ids = arrays.live_ids()
        trusts = trust.levels(m, arrays.supplier[ids], arrays.receiver[ids], arrays.trust_slot[ids])
        row = {
            "step": m.steps,
            "year": year,
            "month": month,
            "active_exchanges": active,
            "pipeline_exchanges": len(m.live) - active,
            "participating_firms": participating,
            "firms_alive": m.n_alive,
            "startups_alive": len(m.state.entry.startups),
            "co2_avoided_t": self._co2,
            "virgin_water_saved_m3": self._water,
            "heat_delivered_mwh": self._heat,
            "public_funding_sek": m.public_sek_total,
            "public_funding_step_sek": m.public_sek_step,
            "investment_support_sek": m.state.investment_support.paid_sek,
            "private_funding_sek": m.private_sek_total,
            "private_funding_step_sek": m.private_sek_step,
            "facilitator_engagement": float(np.mean([f.engagement for f in m.facilitators])) if m.facilitators else 0.0,
            "mean_trust": float(np.mean(trusts)) if len(trusts) else float("nan"),
            "cluster_active": participating >= obs.cluster_min_firms and resources >= obs.cluster_min_resources,
        }
        for k, v in row.items():
            d[k].append(v)
        for r in RESOURCE_NAMES:
            d[f"exchanges_{r}"].append(self.active_by_resource[r])
            d[f"flow_{r}"].append(self._flow[r])
            self._flow[r] = 0.0
        self._co2 = self._water = self._heat = 0.0

    # mesa.batch_run reads a model's ``datacollector``; these give it the model-level series.
    _agent_records: ClassVar[dict] = {}
    _agenttype_records: ClassVar[dict] = {}
    agent_reporters: ClassVar[dict] = {}
    agenttype_reporters: ClassVar[dict] = {}

    @property
    def model_vars(self) -> dict[str, list]:
        return self.data

    @property
    def _collection_steps(self) -> list[int]:
        return self.data["step"]

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.data)
        return df.astype({"cluster_active": bool})
