"""A columnar collector: one row per step, appended to plain lists (cheap on the hot path).

Counts are kept up to date by the model as exchanges start and end, so collection does not scan
the firms; flows are summed while operating exchanges deliver.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd

from sim.core.numpy_order import numpy_sum
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
FEW_LIVE = 32  # live exchanges up to which :meth:`Collector.mean_trust` works in plain Python


class Collector:
    """Collects the model's time series.

    A month's row costs a few tuples: the counts (active exchanges by resource, firms with an
    operating exchange) are kept up to date by the ledger as exchanges start and end (and the
    by-resource tuple is rebuilt only then), the flows are summed while exchanges deliver, and the
    trust of the live exchanges comes from rows (a few) or arrays (many) kept until an exchange
    opens or ends. The rows wait in ``_rows`` and are spread into the columns of :attr:`data` when
    it is read.
    """

    def __init__(self, model: SymbiosisModel) -> None:
        self.model = model
        self._data: dict[str, list] = {c: [] for c in COLUMNS}
        for r in RESOURCE_NAMES:
            self._data[f"exchanges_{r}"] = []
            self._data[f"flow_{r}"] = []
        self._columns = [self._data[c] for c in COLUMNS]
        self._counts_columns = [self._data[f"exchanges_{r}"] for r in RESOURCE_NAMES]
        self._flow_columns = [self._data[f"flow_{r}"] for r in RESOURCE_NAMES]
        self._rows: list[tuple] = []
        self._count_rows: list[tuple[int, ...]] = []
        self._flow_rows: list[tuple[float, ...]] = []
        self.active_by_resource = dict.fromkeys(RESOURCE_NAMES, 0)
        self.participating = 0  # firms with an operating exchange (the ledger counts them)
        self._counts: tuple[int, tuple[int, ...], int, int] = (-1, (), 0, 0)  # version, by resource, active, resources
        self._no_flow = (0.0,) * len(RESOURCE_NAMES)
        self._flow = dict.fromkeys(RESOURCE_NAMES, 0.0)
        self._flowed = False
        self._flow_row: tuple[float, ...] | None = None  # the month's flows by resource, when taken from _kept_flows
        # the flows of one month's delivery of the operating exchanges (the ledger's kept snapshot) from
        # zero, and the resources they were taken with: the same every month until either changes
        self._kept_flows: tuple[Sequence[Exchange], tuple, tuple] | None = None
        self._co2 = self._water = self._heat = 0.0
        self._live: tuple[int, np.ndarray, np.ndarray, np.ndarray] | None = None
        obs = model.config.observation  # read once: a run does not change what it observes
        self._start_year, self._cluster = model.config.start_year, (obs.cluster_min_firms, obs.cluster_min_resources)

    @property
    def data(self) -> dict[str, list]:
        """The series by column, one value per collected step."""
        if self._rows:
            for column, values in zip(self._columns, zip(*self._rows, strict=True), strict=True):
                column.extend(values)
            for column, values in zip(self._counts_columns, zip(*self._count_rows, strict=True), strict=True):
                column.extend(values)
            for column, values in zip(self._flow_columns, zip(*self._flow_rows, strict=True), strict=True):
                column.extend(values)
            self._rows.clear()
            self._count_rows.clear()
            self._flow_rows.clear()
        return self._data

    def add_flows(self, exchanges: Sequence[Exchange]) -> None:
        """The month's flows of these delivering exchanges, added in their order.

        A month's first delivery of the same snapshot of operating exchanges as a month before, with
        the same resources, gives the same sums from zero: they are taken from ``_kept_flows``."""
        if not exchanges:
            return
        resources = self.model.resources
        fresh = not self._flowed
        if fresh and (kept := self._kept_flows) is not None and kept[0] is exchanges:
            for r, res in kept[1]:  # the resources the kept sums were taken with (a price event replaces one)
                if resources[r] is not res:
                    break
            else:
                self._flow_row, self._co2, self._water, self._heat = kept[2]
                self._flowed = True
                return
        if not fresh and self._flow_row is not None:  # more deliveries after the kept ones: back into the sums by resource
            self._flow = dict(zip(RESOURCE_NAMES, self._flow_row, strict=True))
            self._flow_row = None
        flow = self._flow
        co2, water, heat = self._co2, self._water, self._heat
        for ex in exchanges:
            res = resources[ex.resource]
            q = ex.quantity
            flow[ex.resource] += q
            co2 += q * res.co2_t_per_unit
            water += q * res.water_m3_per_unit
            heat += q * res.heat_mwh_per_unit
        self._co2, self._water, self._heat = co2, water, heat
        self._flowed = True
        if fresh:
            row = self._flow_row = tuple(flow.values())
            self._flow = dict.fromkeys(RESOURCE_NAMES, 0.0)
            used = {ex.resource: resources[ex.resource] for ex in exchanges}
            self._kept_flows = (exchanges, tuple(used.items()), (row, co2, water, heat))

    def _live_pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Supplier, receiver and trust slot of the live exchanges, kept until the live set changes."""
        arrays = self.model.ledger.arrays
        if self._live is None or self._live[0] != arrays.live_version:
            ids = arrays.live_ids()
            self._live = (arrays.live_version, arrays.supplier[ids], arrays.receiver[ids], arrays.trust_slot[ids])
        return self._live[1:]

    def mean_trust(self) -> float:
        """Mean trust of the live exchanges (nan without any): ``np.mean``'s own sum, without its wrapper.

        A case has a handful of live exchanges: :func:`trust.live_levels_few` and :func:`numpy_sum`
        then give the same float in plain Python, where numpy's calls were most of a month's collection."""
        n = len(self.model.ledger.live)
        if not n:
            return float("nan")
        if n <= FEW_LIVE:
            return numpy_sum(trust.live_levels_few(self.model)) / n
        trusts = trust.levels(self.model, *self._live_pairs())
        return float(trusts.sum()) / len(trusts)

    def mean_engagement(self) -> float:
        """Mean engagement of the facilitators (0 without any), as ``np.mean`` sums it."""
        facs = self.model.facilitators
        if not facs:
            return 0.0
        return numpy_sum([f.engagement for f in facs]) / len(facs)

    def _active_counts(self) -> tuple[int, tuple[int, ...], int, int]:
        """Operating exchanges by resource, in all, and the resources with any; kept until one starts or ends."""
        version = self.model.ledger.arrays.operating_version
        if self._counts[0] != version:
            by_resource = tuple(self.active_by_resource.values())
            self._counts = (version, by_resource, sum(by_resource), sum(1 for v in by_resource if v > 0))
        return self._counts

    def collect(self) -> None:
        m = self.model
        step = m.steps
        counts = self._counts
        if counts[0] != m.ledger.arrays.operating_version:
            counts = self._active_counts()
        _, by_resource, active, resources = counts
        participating = self.participating
        min_firms, min_resources = self._cluster
        self._rows.append(
            (
                step,
                self._start_year + (step - 1) // 12,  # the model's date_of, inline
                (step - 1) % 12 + 1,
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
                participating >= min_firms and resources >= min_resources,
            )
        )
        self._count_rows.append(by_resource)
        if self._flowed:
            row = self._flow_row
            if row is None:
                row = tuple(self._flow.values())
                self._flow = dict.fromkeys(RESOURCE_NAMES, 0.0)
            self._flow_rows.append(row)
            self._flow_row = None
            self._flowed = False
        else:
            self._flow_rows.append(self._no_flow)
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
        """The series as a table. Each column goes through ``np.array`` first, which infers the
        same dtypes as pandas does from lists at a fraction of the cost (a sweep builds one table
        per run); ``astype`` only where the cluster flag is not already boolean (no steps yet),
        since it copies every column."""
        df = pd.DataFrame({k: np.array(v) for k, v in self.data.items()}, copy=False)
        return df if df["cluster_active"].dtype == bool else df.astype({"cluster_active": bool})
