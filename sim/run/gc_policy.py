"""How often Python's cyclic garbage collector runs during a simulation.

A month of a large region allocates hundreds of thousands of small containers (pair keys,
candidate lists, proposals) that reference counting frees at once. Python's default threshold
(a young-generation pass every 700 net allocations) then runs a collection every few
milliseconds, and each full pass walks every firm, stream and exchange of the register: about a
tenth of a national run's CPU time, for garbage that is almost never cyclic. A run therefore
raises the thresholds while it steps and restores them after. Nothing a run computes depends on
when cyclic garbage is collected (object identities of live objects never change), so results
are the same floats either way.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLDS = (50_000, 20, 100)  # young pass every 50,000 net allocations; older generations as rarely


@contextmanager
def few_collections() -> Iterator[None]:
    """Run the body with :data:`THRESHOLDS`, then put back whatever thresholds were set before."""
    before = gc.get_threshold()
    gc.set_threshold(*THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
