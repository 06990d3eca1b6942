"""The model documentation stays true to the code.

docs/parameters.md must be the generator's output for the current schema (so a changed parameter
without a regenerated table fails here), every parameter must say its unit and source, and
docs/odd.md must have a submodel section for every mechanism module and every switch.
"""

from __future__ import annotations

import re

import pytest

from sim import docs_gen
from sim.config import ROOT, Switches
from sim.mechanisms import BY_NAME, REGISTRY

ODD = ROOT / "docs" / "odd.md"
PARAMETERS = ROOT / "docs" / "parameters.md"


@pytest.fixture(scope="module")
def odd_text() -> str:
    return ODD.read_text(encoding="utf-8")


def _submodel_headings(text: str) -> dict[str, str]:
    """Module name -> heading number of every ``### 7.N name`` heading in odd.md."""
    return {m.group(2): m.group(1) for m in re.finditer(r"^###\s+(7\.\d+)\s+`?([a-z_]+)`?\s*$", text, re.MULTILINE)}


def test_parameters_md_is_up_to_date() -> None:
    assert PARAMETERS.exists(), "docs/parameters.md is missing: run `.venv/bin/python -m sim.docs_gen`"
    assert PARAMETERS.read_text(encoding="utf-8") == docs_gen.render(), (
        "docs/parameters.md is out of date with the config schema: run `.venv/bin/python -m sim.docs_gen`"
    )


def test_check_mode_reports_stale_file(tmp_path) -> None:
    stale = tmp_path / "parameters.md"
    stale.write_text("# old\n", encoding="utf-8")
    assert docs_gen.main(["--check", "--out", str(stale)]) == 1
    assert docs_gen.main(["--out", str(stale)]) == 0
    assert docs_gen.main(["--check", "--out", str(stale)]) == 0


def test_every_parameter_has_unit_and_source() -> None:
    rows = docs_gen.all_rows()
    assert len(rows) > 100
    missing = [r.key for r in rows if not r.unit.strip() or not r.source.strip()]
    assert not missing, f"parameters without unit or source: {missing}"
    keys = [r.key for r in rows]
    assert len(keys) == len(set(keys)), "duplicate keys in the parameters table"


def test_table_covers_every_mechanism_and_nested_setting() -> None:
    keys = {r.key for r in docs_gen.all_rows()}
    for mech in REGISTRY:
        name = mech.name
        for field in mech.params.model_fields:
            assert any(k == f"params.{name}.{field}" or k.startswith(f"params.{name}.{field}.") for k in keys), (name, field)
    for switch in Switches.model_fields:
        assert f"mechanisms.{switch}" in keys
    assert "params.permits.aquaculture.denial" in keys
    assert "firms.*.offers.*.quantity" in keys


def test_every_mechanism_module_has_a_submodel_section(odd_text: str) -> None:
    headings = _submodel_headings(odd_text)
    missing = [name for name in BY_NAME if name not in headings]
    assert not missing, f"docs/odd.md lacks a '### 7.N <module>' section for: {missing}"
    for mech in REGISTRY:
        name = mech.name
        assert f'<a id="{mech.odd}"></a>' in odd_text, f"odd.md lacks the anchor parameters.md links to for {name}"


def test_every_switch_has_a_submodel_section(odd_text: str) -> None:
    headings = _submodel_headings(odd_text)
    missing = [name for name in Switches.model_fields if name not in headings]
    assert not missing, f"docs/odd.md lacks a submodel section for the switches: {missing}"


def test_submodel_sections_name_their_switch_and_parameters(odd_text: str) -> None:
    """Each section points to its parameter table and, where one exists, to its switch."""
    parts = re.split(r"^###\s+7\.\d+\s+", odd_text, flags=re.MULTILINE)[1:]
    sections = {p.split(maxsplit=1)[0].strip("`"): p for p in parts}
    for name in BY_NAME:
        body = sections[name]
        assert f"parameters.md#params-{name}" in body, f"section {name} does not link to its parameters"
        if name in Switches.model_fields:
            assert f"mechanisms.{name}" in body, f"section {name} does not name its switch"


def test_odd_has_the_seven_elements(odd_text: str) -> None:
    for title in (
        "Purpose and patterns",
        "Entities, state variables and scales",
        "Process overview and scheduling",
        "Design concepts",
        "Initialization",
        "Input data",
        "Submodels",
    ):
        assert re.search(rf"^##\s+\d\.?\s+{re.escape(title)}", odd_text, re.MULTILINE), title
    for pattern in (f"P{i}" for i in range(1, 13)):
        assert re.search(rf"\b{pattern}\b", odd_text), pattern


def test_odd_links_resolve(odd_text: str) -> None:
    """Links into parameters.md name anchors that exist there."""
    targets = set(re.findall(r"parameters\.md#([^)\s]+)", odd_text))
    params = PARAMETERS.read_text(encoding="utf-8")
    missing = sorted(t for t in targets if f'<a id="{t}"></a>' not in params)
    assert not missing, f"odd.md links to anchors missing in parameters.md: {missing}"
