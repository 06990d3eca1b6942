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

    CELL = 40.0  # boxes are kept in a grid of cells so a check looks only at its neighbours

    def __init__(self, bounds: Box) -> None:
        self.bounds = bounds
        self.markers: list[Box] = []
        self.placed: list[Box] = []
        self._grid: dict[tuple[int, int], list[tuple[Box, bool]]] = {}

    def _cells(self, box: Box) -> list[tuple[int, int]]:
        c = self.CELL
        return [(i, j) for i in range(int(box[0] // c), int(box[2] // c) + 1) for j in range(int(box[1] // c), int(box[3] // c) + 1)]

    def _add(self, box: Box, is_marker: bool) -> None:
        for cell in self._cells(box):
            self._grid.setdefault(cell, []).append((box, is_marker))

    def _hits(self, box: Box, own: Box) -> bool:
        return any(
            _overlap(box, other) and not (is_marker and other == own)
            for cell in self._cells(box)
            for other, is_marker in self._grid.get(cell, ())
        )

    def block(self, x: float, y: float, r: float) -> None:
        box = (x - r, y - r, x + r, y + r)
        self.markers.append(box)
        self._add(box, True)

    def place(self, x: float, y: float, r: float, text: str, size: float) -> tuple[float, float, str] | None:
        """(x, y, text-anchor) of the label's baseline, or None."""
        w, h = 0.6 * size * len(text) + 2, size * 1.1  # generous: a wider font must not make labels touch
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
            if self._hits(box, own):
                continue
            self.placed.append(box)
            self._add(box, False)
            tx = left if anchor == "start" else left + w if anchor == "end" else left + w / 2
            return tx, top + h * 0.8, anchor
        return None
