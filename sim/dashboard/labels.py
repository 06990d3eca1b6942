"""Words and label placement shared by the map and the actor panel."""

from __future__ import annotations

from sim.dashboard.feed import month_label

__all__ = ["STAGE_WORDS", "Placer", "month_label"]

STAGE_WORDS = {
    "negotiating": "being negotiated",
    "permitting": "waiting for a permit",
    "financing": "raising the money",
    "building": "being built",
    "operating": "flowing",
    "ended": "ended",
}

Box = tuple[float, float, float, float]


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


class Placer:
    """Greedy label placement: each label takes the first spot beside its marker that hits no
    marker, no placed label and stays inside the plot; a label with no free spot is left out
    (its actor is still named on hover)."""

    def __init__(self, bounds: Box) -> None:
        self.bounds = bounds
        self.markers: list[Box] = []
        self.placed: list[Box] = []

    def block(self, x: float, y: float, r: float) -> None:
        self.markers.append((x - r, y - r, x + r, y + r))

    def place(self, x: float, y: float, r: float, text: str, size: float) -> tuple[float, float, str] | None:
        """(x, y, text-anchor) of the label's baseline, or None."""
        w, h = 0.56 * size * len(text), size * 1.05
        candidates = []
        for gap in (r + 3, r + 12, r + 24):  # beside the marker first, a little further out if crowded
            d = gap * 0.7
            candidates += [
                (x + gap, y - h / 2, "start"),
                (x - gap - w, y - h / 2, "end"),
                (x - w / 2, y - gap - h, "middle"),
                (x - w / 2, y + gap, "middle"),
                (x + d, y - d - h, "start"),
                (x + d, y + d, "start"),
                (x - d - w, y - d - h, "end"),
                (x - d - w, y + d, "end"),
            ]
        own = (x - r, y - r, x + r, y + r)
        b = self.bounds
        for left, top, anchor in candidates:
            box = (left, top, left + w, top + h)
            if box[0] < b[0] + 1 or box[2] > b[2] - 1 or box[1] < b[1] + 1 or box[3] > b[3] - 1:
                continue
            if any(_overlap(box, m) for m in self.markers if m != own) or any(_overlap(box, p) for p in self.placed):
                continue
            self.placed.append(box)
            tx = left if anchor == "start" else left + w if anchor == "end" else left + w / 2
            return tx, top + h * 0.8, anchor
        return None
