"""The curator's form, derived from the schema through :mod:`tree.fields`.

Adding a field to :class:`tree.schema.Instrument` adds it to the form, the docs and the
validation at once; nothing here lists fields by hand.
"""

from __future__ import annotations

from typing import Any

from ..fields import Leaf, leaves, unflatten

FieldSpec = Leaf  # one widget per leaf field


def field_specs() -> list[Leaf]:
    return list(leaves())


def clean_record(raw: dict[str, Any]) -> dict[str, Any]:
    """What a form produced (dotted paths) → a record: empty answers mean 'unknown', so left out.

    Texts are stripped, empty lists and sources without a title and url are dropped, and a
    field's default (``status: actief``) is not written.
    """
    flat: dict[str, Any] = {}
    for spec in leaves():
        value = raw.get(spec.path)
        if isinstance(value, str):
            value = value.strip()
        if spec.kind == "sources" and value:
            value = [
                {"title": str(s.get("title") or "").strip(), "url": str(s.get("url") or "").strip()}
                for s in value
                if str(s.get("title") or "").strip() or str(s.get("url") or "").strip()
            ]
        if spec.kind in ("list", "options", "ids", "multichoice") and value:
            value = [
                v.strip() if isinstance(v, str) else v for v in value if not (isinstance(v, str) and not v.strip())
            ]
        if value is None or value == "" or value == [] or (spec.default is not None and value == spec.default):
            continue
        flat[spec.path] = value
    known = {x.path for x in leaves()}
    for key, value in raw.items():  # keep what the schema does not know, so validation can say so
        if key not in flat and key not in known and value not in (None, "", []):
            flat[key] = value
    return unflatten(flat)
