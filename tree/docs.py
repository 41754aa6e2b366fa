"""Curator documentation generated from the schema, so docs and code cannot drift."""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from pathlib import Path

from .schema import BRANCHES, Instrument

START, END = "<!-- fields:start -->", "<!-- fields:end -->"


def _type_name(annotation: typing.Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        return " / ".join(_type_name(a) for a in args if a is not type(None))
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin is list:
        inner = _type_name(args[0]) if args else "tekst"
        return f"lijst van {inner}"
    names = {str: "tekst", int: "geheel getal", bool: "`true` / `false`", dt.date: "datum `JJJJ-MM-DD`"}
    if annotation in names:
        return names[annotation]
    return getattr(annotation, "__name__", str(annotation))


def field_reference() -> str:
    lines = ["| Veld | Verplicht | Soort | Betekenis |", "|---|---|---|---|"]
    for name, f in Instrument.model_fields.items():
        kind = _type_name(f.annotation)
        if name in BRANCHES:
            kind = f"lijst van optie-ids (vraag `{name}`)"
        elif name == "sources":
            kind = "lijst van `title` + `url`"
        lines.append(f"| `{name}` | {'ja' if f.is_required() else 'nee'} | {kind} | {f.description or ''} |")
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
