"""The record's fields as one flat list, derived from the schema: the single place field types live.

The curator form, the spreadsheet round trip (CSV and Excel columns), the field reference in
``instruments/README.md`` and the defaults all read :func:`leaves`. A nested group such as
``quality_basis`` or ``scoring`` becomes dotted leaves (``quality_basis.year``,
``scoring.interpretation.en``), so a spreadsheet has one column per fact and a form one widget.
Adding a field to :mod:`tree.schema` adds it everywhere at once.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel

from .schema import BRANCHES, WRITTEN_DEFAULTS, Instrument, Source

Kind = Literal[
    "options", "ids", "bool", "int", "number", "choice", "multichoice", "date", "text", "longtext", "list", "sources"
]
#: Texts that deserve a big box in the form.
LONG_TEXTS = frozenset(
    {
        "summary", "summary_en", "quality_note", "quality_note_en", "cost_note", "cost_note_en", "curator_note",
        "scoring.interpretation.nl", "scoring.interpretation.en",
    }
)


@dataclass(frozen=True)
class Leaf:
    path: str  # "items", "quality_basis.year", "scoring.interpretation.nl"
    kind: Kind
    required: bool  # required when its group is present (a top-level leaf: in every record)
    description: str
    choices: tuple[str, ...] = ()
    default: Any = None

    @property
    def group(self) -> str | None:
        return self.path.rsplit(".", 1)[0] if "." in self.path else None

    @property
    def top(self) -> str:
        return self.path.split(".", 1)[0]


def _unwrap(annotation: Any) -> Any:
    """``Annotated[int | None, ...]`` → ``int``: the type a widget or a cell has to produce."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if set(args) == {int, float}:
            return float
        return _unwrap(args[0]) if len(args) == 1 else annotation
    return annotation


def _model(annotation: Any) -> type[BaseModel] | None:
    inner = _unwrap(annotation)
    return inner if isinstance(inner, type) and issubclass(inner, BaseModel) and inner is not Source else None


def _kind(path: str, annotation: Any) -> tuple[Kind, tuple[str, ...]]:
    if path in BRANCHES:
        return "options", ()
    if path == "related":
        return "ids", ()
    inner = _unwrap(annotation)
    origin = typing.get_origin(inner)
    if origin is typing.Literal:
        return "choice", tuple(str(a) for a in typing.get_args(inner))
    if origin is list:
        item = _unwrap(typing.get_args(inner)[0])
        if item is Source:
            return "sources", ()
        if typing.get_origin(item) is typing.Literal:
            return "multichoice", tuple(str(a) for a in typing.get_args(item))
        return "list", ()
    if inner is bool:
        return "bool", ()
    if inner is int:
        return "int", ()
    if inner is float:
        return "number", ()
    if inner is dt.date:
        return "date", ()
    return ("longtext" if path in LONG_TEXTS else "text"), ()


def _walk(model: type[BaseModel], prefix: str) -> list[Leaf]:
    out: list[Leaf] = []
    for name, f in model.model_fields.items():
        path = f"{prefix}{name}"
        sub = _model(f.annotation)
        if sub is not None:
            out.extend(_walk(sub, path + "."))
            continue
        kind, choices = _kind(path, f.annotation)
        default = None if f.is_required() else f.default
        out.append(Leaf(path, kind, f.is_required(), f.description or "", choices, default))
    return out


@cache
def leaves() -> tuple[Leaf, ...]:
    return tuple(_walk(Instrument, ""))


def leaf(path: str) -> Leaf:
    for x in leaves():
        if x.path == path:
            return x
    raise KeyError(path)


def groups() -> dict[str, str]:
    """Nested groups (``quality_basis``, ``scoring``, ``scoring.interpretation``) → their description."""
    out: dict[str, str] = {}

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, f in model.model_fields.items():
            sub = _model(f.annotation)
            if sub is not None:
                out[prefix + name] = f.description or ""
                walk(sub, prefix + name + ".")

    walk(Instrument, "")
    return out


def defaults() -> dict[str, Any]:
    """Top-level fields whose default is written out nowhere (``status: actief``)."""
    return dict(WRITTEN_DEFAULTS)


def flatten(record: Mapping[str, Any]) -> dict[str, Any]:
    """``{"scoring": {"min": 0}}`` → ``{"scoring.min": 0}``; sources stay one list."""
    out: dict[str, Any] = {}

    def walk(data: Mapping[str, Any], prefix: str) -> None:
        for key, value in data.items():
            path = f"{prefix}{key}"
            if isinstance(value, Mapping) and path != "sources":
                walk(value, path + ".")
            else:
                out[path] = value

    walk(record, "")
    return out


def unflatten(flat: Mapping[str, Any]) -> dict[str, Any]:
    """Inverse of :func:`flatten`; a group whose leaves are all empty is left out entirely."""
    out: dict[str, Any] = {}
    for path, value in flat.items():
        if value is None or value == "" or value == []:
            continue
        parts = path.split(".")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):  # a leaf and a group with one name: keep it for validation
                break
        else:
            node[parts[-1]] = value
    return out
