"""The curator's form, derived from the schema: one field spec per Instrument field.

Adding a field to :class:`tree.schema.Instrument` adds it to the form, the docs and the
validation at once; nothing here lists fields by hand except which texts deserve a big box.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

from .schema import BRANCHES, Instrument, Source

Kind = Literal["options", "bool", "int", "choice", "date", "text", "longtext", "list", "ids", "sources"]
LONG_TEXTS = ("summary", "summary_en", "quality_note", "cost_note", "curator_note")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: Kind
    required: bool
    description: str
    choices: tuple[str, ...] = ()


def _unwrap(annotation: Any) -> Any:
    """``Annotated[int | None, ...]`` → ``int``: the type a widget has to produce."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else annotation
    return annotation


def _kind(name: str, annotation: Any) -> tuple[Kind, tuple[str, ...]]:
    if name in BRANCHES:
        return "options", ()
    if name == "related":
        return "ids", ()
    inner = _unwrap(annotation)
    origin = typing.get_origin(inner)
    if origin is typing.Literal:
        return "choice", tuple(str(a) for a in typing.get_args(inner))
    if origin is list:
        item = _unwrap(typing.get_args(inner)[0])
        return ("sources", ()) if item is Source else ("list", ())
    if inner is bool:
        return "bool", ()
    if inner is int:
        return "int", ()
    if inner is dt.date:
        return "date", ()
    return ("longtext" if name in LONG_TEXTS else "text"), ()


def field_specs() -> list[FieldSpec]:
    out = []
    for name, f in Instrument.model_fields.items():
        kind, choices = _kind(name, f.annotation)
        out.append(FieldSpec(name, kind, f.is_required(), f.description or "", choices))
    return out


def clean_record(raw: dict[str, Any]) -> dict[str, Any]:
    """What a form produced → a record: empty answers mean 'unknown', so the field is left out.

    Texts are stripped, empty lists and sources without a title and url are dropped, and
    ``status: actief`` (the default) is not written.
    """
    out: dict[str, Any] = {}
    for spec in field_specs():
        value = raw.get(spec.name)
        if isinstance(value, str):
            value = value.strip()
        if spec.kind == "sources" and value:
            value = [
                {"title": str(s.get("title") or "").strip(), "url": str(s.get("url") or "").strip()}
                for s in value
                if str(s.get("title") or "").strip() or str(s.get("url") or "").strip()
            ]
        if spec.kind in ("list", "options", "ids") and value:
            value = [
                v.strip() if isinstance(v, str) else v for v in value if not (isinstance(v, str) and not v.strip())
            ]
        if value is None or value == "" or value == [] or (spec.name == "status" and value == "actief"):
            continue
        out[spec.name] = value
    for key, value in raw.items():  # keep what the schema does not know, so validation can say so
        if key not in out and key not in Instrument.model_fields and value not in (None, "", []):
            out[key] = value
    return out
