"""Drawing uniforms ahead in one call and stepping the generator back over those not needed.

Every random draw comes from ``model.rng`` in a fixed order, which defines the results. Where a
phase makes one uniform draw per candidate and most candidates do nothing, one call for all of
them costs far less than a call each; when a candidate acts (and what it does draws next), the
generator steps back over the draws of the candidates after it, which then draw again after it,
so the stream is the same as one call per candidate.
"""

from __future__ import annotations

import numpy as np


def can_step_back(rng: np.random.Generator) -> bool:
    """Whether the generator can step back over draws (PCG64, the model's, can: ``advance`` by a
    negative count); otherwise the callers draw one candidate at a time."""
    return type(rng.bit_generator) is np.random.PCG64


def step_back(rng: np.random.Generator, n: int) -> None:
    """Undo the last ``n`` uniform draws, as if they had not been made. ``advance`` clears the half
    of a 64-bit word a 32-bit draw keeps for the next one (a uniform draw never touches it), so that
    is put back."""
    if n <= 0:
        return
    bg = rng.bit_generator
    kept = bg.state
    bg.advance(-n)
    if kept["has_uint32"]:
        state = bg.state
        state["has_uint32"], state["uinteger"] = kept["has_uint32"], kept["uinteger"]
        bg.state = state
