"""The scenario reader: libyaml's speed with the Python loader's documents, limits and messages."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim import limits

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted(ROOT.glob("configs/**/*.yaml"))
BAD = Path(__file__).parent / "data" / "bad_inputs"


def test_libyaml_is_there_so_the_fast_path_is_the_one_tested() -> None:
    assert limits._FastLoader is not None, "PyYAML without libyaml: every file is read by the Python loader"


@pytest.mark.parametrize("path", SHIPPED, ids=[str(p.relative_to(ROOT)) for p in SHIPPED])
def test_every_shipped_file_reads_as_pyyaml_safe_load_reads_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert limits.load_yaml(text) == yaml.safe_load(text)


@pytest.mark.parametrize(
    ("name", "words"),
    [("deep.yaml", ["nested more than", "levels deep", "line"]), ("bomb.yaml", ["aliases expand", "allowed"])],
)
def test_a_file_beyond_a_limit_gets_the_limits_message(name: str, words: list[str]) -> None:
    with pytest.raises(limits.LimitError) as err:
        limits.load_yaml((BAD / name).read_text(encoding="utf-8"))
    assert all(w in str(err.value) for w in words), str(err.value)


@pytest.mark.parametrize("text", ["a: [1, 2\nb: 3", "- a\nb: c", "a: *nowhere", "a: 'open"])
def test_malformed_yaml_is_told_as_the_python_loader_tells_it(text: str) -> None:
    """libyaml words its errors differently and without the quoted line: the user sees PyYAML's."""
    with pytest.raises(yaml.YAMLError) as fast:
        limits.load_yaml(text)
    with pytest.raises(yaml.YAMLError) as slow:
        yaml.load(text, Loader=limits._BoundedLoader)
    assert str(fast.value) == str(slow.value)
    assert "^" in str(fast.value), "the message points at the place in the quoted line"


def test_text_libyaml_cannot_take_is_told_as_the_python_loader_tells_it() -> None:
    """A ``--set`` value of broken text carries a surrogate, which libyaml cannot even be given."""
    text = "name: caf\udce9"
    with pytest.raises(yaml.YAMLError) as fast:
        limits.load_yaml(text)
    with pytest.raises(yaml.YAMLError) as slow:
        yaml.load(text, Loader=limits._BoundedLoader)
    assert str(fast.value) == str(slow.value) and "special characters" in str(fast.value)
