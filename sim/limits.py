"""Stated limits on what the model accepts, and the guards that enforce them.

Every limit here is named in the error message that refuses an input beyond it, so a user sees
what was too big and what is allowed. The limits sit far above every scenario of the case library
and the national synthetic region (20,000 firms, a 20 MB YAML file); they exist so that a typo or
a hostile file gets a clear exit 2 instead of a hang, a MemoryError or a traceback.
"""

from __future__ import annotations

import math
import reprlib
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

MAX_YAML_BYTES = 200 * 1024 * 1024  # a national scenario of 20,000 firms is about 10 MB
MAX_YAML_DEPTH = 64  # a scenario nests about six levels deep
MAX_ALIAS_NODES = 100_000  # YAML nodes reached again through aliases (anchors reused)
MAX_STEPS = 200 * 12  # months: the longest horizon a scenario may have (years <= 200)
MAX_FIRMS = 200_000  # ten times the national synthetic region
MAX_LEVELS = 1_000  # grid levels of one sweep parameter; Morris levels
MAX_SAMPLES = 1_000_000  # lhs points, Sobol base samples, Morris trajectories
MAX_POINTS = 10_000_000  # design points of a sweep
MAX_RUNS = 100_000_000  # runs of a sweep (points x replications)
MAX_MAGNITUDE = 1e15  # any number in a scenario: SEK, resource units, km, ...
MAX_SEED = 2**63 - 1  # seeds are stored as 64-bit integers in sweep results
MAX_VALUE_CHARS = 80  # a value quoted in an error message
MAX_MESSAGE_CHARS = 2_000  # one line of an error message


class LimitError(ValueError):
    """An input beyond a stated limit; the message names the limit."""


_repr = reprlib.Repr()
_repr.maxlevel = 3
_repr.maxstring = MAX_VALUE_CHARS
_repr.maxother = MAX_VALUE_CHARS
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 6
_repr.maxlong = 40


def short(value: Any) -> str:
    """``repr(value)`` cut to a readable length, without ever expanding a huge or shared structure."""
    try:
        text = _repr.repr(value)
    except Exception:  # a value whose repr fails is still reported
        text = f"<{type(value).__name__}>"
    return text if len(text) <= MAX_VALUE_CHARS + 20 else text[: MAX_VALUE_CHARS + 17] + "..."


def clip(line: str) -> str:
    """One message line cut to :data:`MAX_MESSAGE_CHARS`."""
    return line if len(line) <= MAX_MESSAGE_CHARS else line[: MAX_MESSAGE_CHARS - 3] + "..."


class _Depth:
    """A depth limit while composing: YAML nested beyond it is refused before it is built."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark
                raise LimitError(
                    f"nested more than {MAX_YAML_DEPTH} levels deep at line {mark.line + 1} (allowed: at most {MAX_YAML_DEPTH} levels)"
                )
            return Composer.compose_node(self, parent, index)
        finally:
            self._depth -= 1


class _BoundedLoader(_Depth, yaml.SafeLoader):
    """PyYAML's safe loader, all in Python, with the depth limit: its error messages quote the line."""


try:
    from yaml.cyaml import CParser
except ImportError:  # PyYAML built without libyaml: the Python loader reads everything
    _FastLoader: Any = None
else:

    class _FastLoader(_Depth, CParser, Composer, SafeConstructor, Resolver):
        """libyaml's scanner and parser under PyYAML's composer and safe constructor, with the same depth
        limit: the same documents about five times faster (a case file in 5 ms instead of 25), which
        every run, sweep worker and test pays when it reads a scenario."""

        get_single_node = Composer.get_single_node
        compose_document = Composer.compose_document

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)


def _expanded_size(node: yaml.Node) -> tuple[int, int]:
    """(nodes once expanded, distinct nodes) of a composed document, without expanding it."""
    memo: dict[int, int] = {}

    def size(n: yaml.Node) -> int:
        key = id(n)
        if key in memo:
            return memo[key]
        memo[key] = 1  # a recursive alias counts once (the safe constructor builds a cycle)
        if isinstance(n, yaml.SequenceNode):
            total = 1 + sum(size(c) for c in n.value)
        elif isinstance(n, yaml.MappingNode):
            total = 1 + sum(size(k) + size(v) for k, v in n.value)
        else:
            total = 1
        memo[key] = total
        return total

    total = size(node)
    return total, len(memo)


def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` within the limits above; raises :class:`LimitError` beyond them.

    A document libyaml refuses is read again by the pure-Python loader, whose messages (and limits)
    are the ones users see: the fast path changes how quickly a good file is read, never what a bad
    one is told."""
    if len(text) > MAX_YAML_BYTES:
        raise LimitError(f"{len(text):,} characters is larger than the limit (allowed: at most {MAX_YAML_BYTES:,} bytes)")
    if _FastLoader is not None:
        try:
            return _load(_FastLoader(text))
        except (yaml.YAMLError, UnicodeEncodeError):  # libyaml cannot take a surrogate (a --set value of broken text)
            pass
    return _load(_BoundedLoader(text))


def _load(loader: Any) -> Any:
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        expanded, distinct = _expanded_size(node)
        if expanded - distinct > MAX_ALIAS_NODES:
            raise LimitError(
                f"aliases expand the document to {expanded:,} values (allowed: at most {MAX_ALIAS_NODES:,} values reached through aliases)"
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _walk(value: Any, loc: tuple[Any, ...], problems: list[tuple[tuple[Any, ...], str]]) -> None:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            problems.append((loc, f"value {value!r} is not a finite number (allowed: a finite number)"))
        elif abs(value) > MAX_MAGNITUDE:
            problems.append((loc, f"value {value!r} is too large (allowed: a number of magnitude at most {MAX_MAGNITUDE:g})"))
    elif isinstance(value, int):
        if abs(value) > MAX_SEED:
            problems.append((loc, f"value {short(value)} is too large (allowed: at most {MAX_SEED}, a 64-bit integer)"))
    elif isinstance(value, str):
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                problems.append(
                    (
                        loc,
                        f"value {short(value)} is not valid text (allowed: UTF-8 text; a byte that is not UTF-8 reached it, e.g. from the command line)",
                    )
                )
    elif isinstance(value, dict):
        for k, v in value.items():
            _walk(v, (*loc, k), problems)
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _walk(v, (*loc, i), problems)


def check_values(data: Any) -> list[tuple[tuple[Any, ...], str]]:
    """Every number finite and of a sane magnitude, every text encodable: (location, problem) per value."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    _walk(data, (), problems)
    return problems
