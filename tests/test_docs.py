"""Docs cannot drift from the code: CLI commands in the README, schema fields in the curator docs."""

from __future__ import annotations

import re

from tree.cli import COMMANDS
from tree.i18n import strings

from .conftest import ROOT


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_cli_command_is_in_the_readme():
    text = readme()
    for command in COMMANDS:
        assert f"python -m tree {command}" in text, command


def test_readme_has_exactly_two_setup_commands():
    text = readme()
    block = re.search(r"<!-- commands:start -->(.*?)<!-- commands:end -->", text, re.S)
    assert block, "README needs the two-command block"
    commands = [line for line in block.group(1).splitlines() if line.strip().startswith(("make ", "$ make"))]
    assert commands == ["make run", "make test"]


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_dutch_string_has_an_english_one():
    from tree.curate.formspec import ENGLISH_HELP  # English only: the Dutch field help is the schema's

    nl, en = strings("nl"), strings("en")
    assert sorted(set(nl) - set(en)) == []
    assert sorted(k for k in set(en) - set(nl) if not k.startswith(ENGLISH_HELP)) == []
