"""Facilitators: symbiosis centres, resource hubs and project teams."""

from __future__ import annotations

from dataclasses import dataclass

import mesa


@dataclass(slots=True)
class Project:
    """A funded development project that pays for facilitation for a limited time."""

    programme: int
    start_step: int
    end_step: int
    public_sek_per_month: float  # what the programme pays per month (the firms' own if not ``public``)
    anchor_eligible: bool
    public: bool = True
    partners_paid_sek: float = 0.0  # the partners' co-financing so far


class Facilitator(mesa.Agent):
    """Funded capacity and engagement; it discovers latent matches and brokers meetings."""

    def __init__(
        self,
        model: mesa.Model,
        *,
        idx: int,
        name: str,
        region: int,
        municipalities: list[int],
        cost_sek_per_month: float,
        engagement: float,
        membership_fee_share: float,
    ) -> None:
        super().__init__(model)
        self.idx = idx
        self.name = name
        self.region = region
        self.municipalities = municipalities
        self.cost_sek_per_month = cost_sek_per_month
        self.engagement = engagement
        self.retention = 1.0
        self.membership_fee_share = membership_fee_share
        self.project: Project | None = None
        self.next_project_step: int = 0
        self.funded_share = 0.0
        self.anchor_coverage = 0.0
        self.public_sek_this_step = 0.0
        self.private_sek_this_step = 0.0
        self.partners_share = 0.0  # share of the cost the partners co-financed this month
        self.fees_share = 0.0  # share of the cost membership fees paid this month
        self.no_fee_base = False  # the last project ended without a fee base (weaker next application)
