"""docs/postmortems.md says what the code does: its YAML examples are accepted as written, its
table of blameless rules lists every rule, and its section list is the code's."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from smokejumper.postmortems.blameless import RULES
from smokejumper.postmortems.sections import Section, parse_content

PAGE = (Path(__file__).resolve().parents[2] / "docs" / "postmortems.md").read_text("utf-8")


def test_the_yaml_examples_are_accepted() -> None:
    blocks = re.findall(r"```yaml\n# (\w+)\.yaml.*?\n(.*?)```", PAGE, flags=re.S)
    assert [name for name, _ in blocks] == ["whys", "fishbone"]
    for name, text in blocks:
        section = "five_whys" if name == "whys" else "fishbone"
        assert len(parse_content(section, yaml.safe_load(text))) >= 2


def test_the_rule_table_and_the_section_list_are_the_codes() -> None:
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", PAGE, flags=re.M))
    assert documented == {r.id for r in RULES}
    for section in Section:
        assert f"`{section.value}`" in PAGE
