"""Every source the model cites resolves inside this repository, and its text speaks of the model.

Citations are read from the text files of ``sim/``, ``agents/``, ``configs/``, ``docs/`` and the
README (not from ``docs/sources.md`` itself):

- ``§N``, ``§N.N``, ... is a section of the source report. A chapter or section (``§3``, ``§3.4``)
  must have its own entry in ``docs/sources.md``; a subsection (``§3.4.2``, ``§2.1.13``) resolves to
  its own entry or, failing that, to its parent's (``§2.1`` summarises the cases ``§2.1.1``-``§2.1.21``).
  A ``§`` inside a Markdown link to an anchor or a ``.md`` file (``[§2](#2-...)``) or right after a
  ``.md`` file name (``odd.md §1.2``) is a section of that document and is not a report citation.
- ``A1``...``A29`` is an appendix case of the report; every one of the 29 must have an entry,
  cited or not, because the case library grows towards all of them.
- ``Author (YYYY)``, ``Author et al. YYYY``, ``A & B (YYYY)`` is a paper: sources.md must list an
  entry with that name and year.

An entry is a ``### §x.y ...`` or ``### Ax ...`` heading of ``docs/sources.md`` with its summary.

Separately, no tracked text file may talk about the work process (work-item numbers, who reports to whom)
or point to files outside the repository.
"""

from __future__ import annotations

import re
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "docs" / "sources.md"
CITING = ("sim", "agents", "configs", "docs", "README.md")

SECTION = re.compile(r"§\s?(\d+(?:\.\d+)*)")
CASE = re.compile(r"\bA(\d{1,2})\b")
DOC_LINK = re.compile(r"\[[^\]]*\]\((?:#|[^)\s]*\.md)[^)]*\)")
DOC_REF = re.compile(r"[\w./-]+\.md,?\s+(?:section\s+)?§\s?\d+(?:\.\d+)*")
PAPER = re.compile(
    r"\b([A-Z][a-zA-Z'-]+?)(?:'s)?(?: et al\.?|(?:, [A-Z][a-zA-Z-]+)*,? (?:&|and) [A-Z][a-zA-Z-]+)? \(?((?:19|20)\d\d)[a-z]?(?=[),;:]|, )"
)
# Capitalised words that stand before a year without being an author ("June 2017)", "Findus 2017, A13").
NOT_AUTHORS = {
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
    "Findus",
    "Source",
}
ENTRY = re.compile(r"^###\s+(§\d+(?:\.\d+)*|A\d{1,2}|Sammanfattning)\b[^\n]*\n(.*?)(?=^#{1,3}\s|\Z)", re.MULTILINE | re.DOTALL)

# Written so that this file does not match itself.
WORK_ITEM = re.compile(r"issue [0-9]+|issues? #?[0-9]|the[ ]lead\b|report to the[ ]lead|reported to the[ ]lead", re.IGNORECASE)
OUTSIDE = re.compile(r"shared[/]|seed[-]digest|seed[/]0|\bliterature[.]md\b|\bcases[.]md\b")


def _tracked(*paths: str) -> list[Path]:
    """Text files git tracks under ``paths`` (the whole repository without arguments)."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--", *paths], cwd=ROOT, capture_output=True, check=True).stdout
        files = [ROOT / p for p in out.decode().split("\0") if p]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: every file but caches
        skip = {".git", ".venv", "results", "__pycache__", ".pytest_cache", ".ruff_cache"}
        roots = [ROOT / p for p in paths] or [ROOT]
        files = [f for r in roots for f in ([r] if r.is_file() else r.rglob("*")) if f.is_file()]
        files = [f for f in files if not skip & set(f.relative_to(ROOT).parts)]
    return [f for f in files if f.is_file() and _text(f) is not None]


def _text(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def entries(text: str) -> dict[str, str]:
    """Entry key (``§2.4.1``, ``A13``, ``Sammanfattning``) -> its summary text."""
    return {m.group(1): m.group(2).strip() for m in ENTRY.finditer(text)}


def citations(text: str) -> tuple[set[str], set[str]]:
    """Report sections (without ``§``) and case ids (``A13``) cited in ``text``."""
    text = DOC_REF.sub(" ", DOC_LINK.sub(" ", text))
    return {m.group(1) for m in SECTION.finditer(text)}, {f"A{int(m.group(1))}" for m in CASE.finditer(text)}


def resolves(section: str, have: dict[str, str]) -> bool:
    """A section resolves to its own entry; a subsection (three levels or more) also to its parent's."""
    parts = section.split(".")
    return f"§{section}" in have or (len(parts) >= 3 and "§" + ".".join(parts[:-1]) in have)


def papers(text: str) -> set[tuple[str, str]]:
    return {(m.group(1), m.group(2)) for m in PAPER.finditer(text) if m.group(1) not in NOT_AUTHORS}


def listed(paper: tuple[str, str], sources_text: str) -> bool:
    """A paper is listed if one bullet of sources.md names the author and the year."""
    name, year = paper
    return any(name in item and year in item for item in re.split(r"\n(?=- )", sources_text))


@pytest.fixture(scope="module")
def sources_text() -> str:
    assert SOURCES.exists(), "docs/sources.md is missing"
    return SOURCES.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def cited() -> dict[str, dict[str, list[str]]]:
    """kind ('section', 'case', 'paper') -> citation -> the places that cite it."""
    found: dict[str, dict[str, list[str]]] = {"section": defaultdict(list), "case": defaultdict(list), "paper": defaultdict(list)}
    for path in _tracked(*CITING):
        if path == SOURCES:
            continue
        rel = path.relative_to(ROOT).as_posix()
        for i, line in enumerate(_text(path).splitlines(), start=1):
            secs, cases = citations(line)
            for s in secs:
                found["section"][s].append(f"{rel}:{i}")
            for c in cases:
                found["case"][c].append(f"{rel}:{i}")
            for p in papers(line):
                found["paper"][f"{p[0]} {p[1]}"].append(f"{rel}:{i}")
    return found


def test_every_entry_has_a_summary(sources_text: str) -> None:
    have = entries(sources_text)
    assert len(have) > 40
    short = [k for k, body in have.items() if len(body) < 80]
    assert not short, f"entries of docs/sources.md without a summary: {short}"
    keys = [m.group(1) for m in ENTRY.finditer(sources_text)]
    assert len(keys) == len(set(keys)), "an entry appears twice in docs/sources.md"


def test_sources_name_the_report(sources_text: str) -> None:
    flat = " ".join(sources_text.split())
    assert "Industriell och urban symbios – Ett kunskapsunderlag om positiva effekter av samverkan mellan samhällets aktörer" in flat
    assert "RISE" in flat and "2024" in flat and "Energimyndigheten" in flat


def test_every_case_has_an_entry(sources_text: str) -> None:
    have = entries(sources_text)
    missing = [f"A{i}" for i in range(1, 30) if f"A{i}" not in have]
    assert not missing, f"docs/sources.md lacks entries for the cases {missing}"
    assert not [k for k in have if k.startswith("A") and k != "A" and not 1 <= int(k[1:]) <= 29]


def test_every_cited_section_has_an_entry(sources_text: str, cited: dict[str, dict[str, list[str]]]) -> None:
    have = entries(sources_text)
    assert len(cited["section"]) > 10, "the citation scan found almost nothing: is the pattern broken?"
    missing = {f"§{s}": where[:3] for s, where in cited["section"].items() if not resolves(s, have)}
    assert not missing, f"report sections cited without an entry in docs/sources.md: {missing}"


def test_every_cited_case_has_an_entry(sources_text: str, cited: dict[str, dict[str, list[str]]]) -> None:
    have = entries(sources_text)
    assert len(cited["case"]) > 10
    missing = {c: where[:3] for c, where in cited["case"].items() if c not in have}
    assert not missing, f"cases cited without an entry in docs/sources.md: {missing}"


def test_every_cited_paper_is_listed(sources_text: str, cited: dict[str, dict[str, list[str]]]) -> None:
    assert {"Chertow 2007", "Ghali 2017", "Grimm 2020"} <= set(cited["paper"])
    missing = {p: where[:3] for p, where in cited["paper"].items() if not listed(tuple(p.split(" ")), sources_text)}
    assert not missing, f"papers cited without a reference in docs/sources.md: {missing}"


def test_the_checks_catch_a_citation_without_an_entry(sources_text: str) -> None:
    """The rules above, on made-up text: an unknown section, case or paper does not resolve."""
    have = entries(sources_text)
    secs, cases = citations("as §3.4.2 and §2.1.13 say (A13); see [§9](#9-x) and odd.md §9.1; but §9.9 and §2.9, A30")
    assert secs == {"3.4.2", "2.1.13", "9.9", "2.9"} and cases == {"A13", "A30"}
    assert [s for s in sorted(secs) if not resolves(s, have)] == ["2.9", "9.9"]
    assert "A30" not in have
    assert papers("(Chertow 2007; Nobody et al. (2031), June 2017)") == {("Chertow", "2007"), ("Nobody", "2031")}
    assert not listed(("Nobody", "2031"), sources_text)


def test_text_speaks_of_the_model_and_points_inside_the_repository() -> None:
    """No tracked text file names a work item, speaks of whom work is reported to, or points to files outside the repository."""
    bad = []
    for path in _tracked():
        rel = path.relative_to(ROOT).as_posix()
        for i, line in enumerate(_text(path).splitlines(), start=1):
            if WORK_ITEM.search(line) or OUTSIDE.search(line):
                bad.append(f"{rel}:{i}: {line.strip()[:100]}")
    assert not bad, "work-process talk or paths outside the repository:\n" + "\n".join(bad)
