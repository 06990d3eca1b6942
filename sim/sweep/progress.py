"""Progress: a live bar on a terminal, periodic log lines otherwise (cluster jobs, CI logs)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s" if m else f"{s}s"


class Progress:
    """Counts runs; draws a tqdm bar when ``stream`` is a terminal, else logs every ``every`` s."""

    def __init__(
        self, name: str, total: int, done: int = 0, stream: TextIO | None = None, every: float = 10.0, tty: bool | None = None
    ) -> None:
        self.name = name
        self.total = total
        self.start_done = done
        self.done = done
        self.stream = stream or sys.stderr
        self.every = every
        self.t0 = time.monotonic()
        self.last_log = self.t0
        self.bar = None
        if self.stream.isatty() if tty is None else tty:
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=done, unit="run", desc=name, file=self.stream, dynamic_ncols=True, smoothing=0.1)

    def line(self) -> str:
        elapsed = time.monotonic() - self.t0
        new = self.done - self.start_done
        rate = new / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else float("nan")
        pct = 100.0 * self.done / self.total if self.total else 100.0
        eta = _duration(left) if left == left else "unknown"
        return f"{self.name}: {self.done}/{self.total} runs ({pct:.1f}%), {rate:.2f} runs/s, {eta} left"

    def update(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
            return
        now = time.monotonic()
        if now - self.last_log >= self.every:
            self.last_log = now
            print(self.line(), file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        else:
            print(self.line(), file=self.stream, flush=True)
