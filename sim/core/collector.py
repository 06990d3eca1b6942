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
    """Collects the model's time series.

    A month's row costs a few dozen list appends: the counts (active exchanges by resource, firms
    with an operating exchange) are kept up to date by the ledger as exchanges start and end, the
    flows are summed while exchanges deliver, and the trust of the live exchanges is read from
    arrays kept until an exchange opens or ends.
    """

    def __init__(self, model: SymbiosisModel) -> None:
        self.model = model
        self.data: dict[str, list] = {c: [] for c in COLUMNS}
        for r in RESOURCE_NAMES:
            self.data[f"exchanges_{r}"] = []
            self.data[f"flow_{r}"] = []
        self.active_by_resource = dict.fromkeys(RESOURCE_NAMES, 0)
        self.participating = 0  # firms with an operating exchange (the ledger counts them)
        self._flow = dict.fromkeys(RESOURCE_NAMES, 0.0)
        self._co2 = self._water = self._heat = 0.0
        self._append = tuple(self.data[c].append for c in COLUMNS)
        self._by_resource = tuple((r, self.data[f"exchanges_{r}"].append, self.data[f"flow_{r}"].append) for r in RESOURCE_NAMES)
        self._live: tuple[int, np.ndarray, np.ndarray, np.ndarray] | None = None

    def add_flow(self, ex: Exchange) -> None:
        res = self.model.resources[ex.resource]
        q = ex.quantity
        self._flow[ex.resource] += q
        self._co2 += q * res.co2_t_per_unit
        self._water += q * res.water_m3_per_unit
        self._heat += q * res.heat_mwh_per_unit

    def _live_pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Supplier, receiver and trust slot of the live exchanges, kept until the live set changes."""
        arrays = self.model.ledger.arrays
        if self._live is None or self._live[0] != arrays.live_version:
            ids = arrays.live_ids()
            self._live = (arrays.live_version, arrays.supplier[ids], arrays.receiver[ids], arrays.trust_slot[ids])
        return self._live[1:]

    def mean_trust(self) -> float:
        """Mean trust of the live exchanges (nan without any): ``np.mean``'s own sum, without its wrapper."""
        if not self.model.ledger.live:
            return float("nan")
        trusts = trust.levels(self.model, *self._live_pairs())
        return float(trusts.sum()) / len(trusts)

    def mean_engagement(self) -> float:
        """Mean engagement of the facilitators (0 without any), as ``np.mean`` sums it: element by
        element below 8 values (its pairwise sum unrolls 8 ways from there), so for a few a plain
        loop gives the same float."""
        facs = self.model.facilitators
        if not facs:
            return 0.0
        if len(facs) >= 8:
            return float(np.mean([f.engagement for f in facs]))
        total = 0.0
        for f in facs:
            total += f.engagement
        return float(total / len(facs))

    def collect(self) -> None:
        m = self.model
        year, month = m.date_of(m.steps)
        by_resource = self.active_by_resource
        active = sum(by_resource.values())
        participating = self.participating
        resources = sum(1 for v in by_resource.values() if v > 0)
        obs = m.config.observation
        row = (
            m.steps,
            year,
            month,
            active,
            len(m.ledger.live) - active,
            participating,
            m.firm_arrays.n_alive,
            len(m.state.entry.startups),
            self._co2,
            self._water,
            self._heat,
            m.public_sek_total,
            m.public_sek_step,
            m.state.investment_support.paid_sek,
            m.private_sek_total,
            m.private_sek_step,
            self.mean_engagement(),
            self.mean_trust(),
            participating >= obs.cluster_min_firms and resources >= obs.cluster_min_resources,
        )
        for append, v in zip(self._append, row, strict=True):
            append(v)
        flow = self._flow
        for r, append_count, append_flow in self._by_resource:
            append_count(by_resource[r])
            append_flow(flow[r])
            flow[r] = 0.0
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
