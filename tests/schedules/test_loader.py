"""The YAML loader: line numbers by path, duplicate keys, aliases and syntax errors."""

from __future__ import annotations

from server.schedules.loader import MAX_NODES, load_yaml

TEXT = """\
version: 1
event:
  slug: demo
items:
  - id: a
    media:
      - file: x.png
        alt: "x"
  - id: b
    signed: 2027-02-01
"""


def test_every_node_has_its_line() -> None:
    loaded = load_yaml(TEXT, "f.yaml")
    assert loaded.ok
    assert loaded.problems == []
    assert loaded.lines[("items", 0, "media", 0, "alt")] == 8
    assert loaded.lines[("items", 1)] == 9
    assert loaded.line_for(("items", 0, "media", 0, "missing")) == 7
    assert loaded.line_for(("nothing", "here")) == 1


def test_dates_stay_strings() -> None:
    data = load_yaml(TEXT, "f.yaml").data
    assert isinstance(data, dict)
    assert data["items"][1]["signed"] == "2027-02-01"


def test_duplicate_keys_are_problems_and_the_first_value_wins() -> None:
    loaded = load_yaml("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert loaded.data == {"a": 1, "b": 2}
    assert [str(p) for p in loaded.problems] == ["f.yaml:3: a: duplicate key 'a' (first at line 1)"]


def test_merge_keys_and_aliases() -> None:
    loaded = load_yaml("base: &b {alt: shared}\nm:\n  <<: *b\n  file: x.png\n", "f.yaml")
    assert loaded.data == {"base": {"alt": "shared"}, "m": {"file": "x.png", "alt": "shared"}}


def test_recursive_alias_is_a_problem() -> None:
    loaded = load_yaml("a: &x [*x]\n", "f.yaml")
    assert [p.message for p in loaded.problems] == ["recursive alias"]


def test_alias_bombs_are_stopped() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 8)]
    loaded = load_yaml("\n".join(lines) + "\n", "f.yaml")
    assert not loaded.ok
    assert str(MAX_NODES) in loaded.problems[0].message


def test_syntax_errors_point_at_the_line() -> None:
    loaded = load_yaml("a: 1\nb: [1, 2\nc: 3\n", "f.yaml")
    assert not loaded.ok
    assert loaded.data is None
    assert [(p.line, p.field) for p in loaded.problems] == [(3, "(yaml)")]


def test_control_characters_and_bad_tags() -> None:
    bad = load_yaml("a: 1\nb: \x07\n", "f.yaml")
    assert [(p.line, p.field) for p in bad.problems] == [(2, "(yaml)")]
    tagged = load_yaml("a: !python/object:os.system x\n", "f.yaml")
    assert tagged.ok
    assert tagged.data == {"a": None}
    assert [(p.line, p.field) for p in tagged.problems] == [(1, "a")]
