"""Curator documentation generated from the schema, so docs and code cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

from . import fields
from .fields import Leaf

START, END = "<!-- fields:start -->", "<!-- fields:end -->"


_KIND_NAMES = {
    "options": "lijst van optie-ids (vraag `{path}`)",
    "ids": "lijst van instrument-ids",
    "bool": "`true` / `false`",
    "int": "geheel getal",
    "number": "getal",
    "date": "datum `JJJJ-MM-DD`",
    "text": "tekst",
    "longtext": "tekst",
    "list": "lijst van tekst",
    "sources": "lijst van `title` + `url`",
}


def _kind_name(leaf: Leaf) -> str:
    if leaf.kind == "choice":
        return " \\| ".join(f"`{c}`" for c in leaf.choices)
    if leaf.kind == "multichoice":
        return "lijst van " + " \\| ".join(f"`{c}`" for c in leaf.choices)
    return _KIND_NAMES[leaf.kind].format(path=leaf.path)


def field_reference() -> str:
    """One row per leaf field (``scoring.min``), from :mod:`tree.fields`, with each group's own line."""
    lines = ["| Veld | Verplicht | Soort | Betekenis |", "|---|---|---|---|"]
    groups = fields.groups()
    shown: set[str] = set()
    for leaf in fields.leaves():
        group = leaf.group
        if group and group not in shown:
            top = group.split(".")[0]
            if top not in shown:
                lines.append(f"| `{top}` | nee | groep | {groups[top]} |")
                shown.add(top)
            if group != top:
                lines.append(f"| `{group}` | nee | groep | {groups[group]} |")
            shown.add(group)
        required = "ja" if leaf.required and not group else ("ja, in de groep" if leaf.required else "nee")
        lines.append(f"| `{leaf.path}` | {required} | {_kind_name(leaf)} | {leaf.description} |")
    return "\n".join(lines)


def render(readme_text: str) -> str:
    block = f"{START}\n{field_reference()}\n{END}"
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if not pattern.search(readme_text):
        raise ValueError(f"markers {START} / {END} missing")
    return pattern.sub(lambda _: block, readme_text)


def update(readme: Path, check: bool = False) -> bool:
    """Rewrite the field table in ``readme``; with ``check``, only report whether it is current."""
    old = readme.read_text(encoding="utf-8")
    new = render(old)
    if check:
        return old == new
    if old != new:
        readme.write_text(new, encoding="utf-8")
    return True
