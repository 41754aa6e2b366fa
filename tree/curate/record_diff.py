"""What a proposed change does to a record, field by field.

A unified diff of the YAML file is exact but hard to read when a folded paragraph is reflowed:
a one-word change shows as four changed lines. A second curator approving a change wants "this
field was X, becomes Y", so the review shows that, and keeps the file diff one click away.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from ..i18n import t
from .formspec import field_label


@dataclass(frozen=True)
class FieldChange:
    path: str  # dotted, as in the form spec: "quality_basis.year", "sources"
    before: Any  # None: the field was not there
    after: Any  # None: the field is removed


def _flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings (quality_basis, scoring) become dotted paths; lists stay whole values."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(_flatten(value, f"{path}."))
        else:
            out[path] = value
    return out


def field_changes(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[FieldChange]:
    """Every field whose value differs, in the order of the new record (removed fields last)."""
    old, new = _flatten(before or {}), _flatten(after)
    changes = [FieldChange(p, old.get(p), v) for p, v in new.items() if _norm(old.get(p)) != _norm(v)]
    changes += [FieldChange(p, v, None) for p, v in old.items() if p not in new and _norm(v) is not None]
    return changes


def _norm(value: Any) -> Any:
    """Empty is absent; dates and numbers compare as their text (YAML and JSON disagree on types)."""
    if value in (None, "", [], {}):
        return None
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _norm(v) for k, v in value.items()}
    return str(value)


def show_value(value: Any, lang: str = "nl") -> str:
    """One readable line or block for a table cell: lists of sources as "title — url" lines."""
    if value is None:
        return "—"
    if isinstance(value, list):
        return "\n".join(show_value(v, lang) for v in value)
    if isinstance(value, Mapping):
        if set(value) >= {"title", "url"}:
            return f"{value['title']} — {value['url']}"
        return yaml.safe_dump(dict(value), allow_unicode=True, default_flow_style=True, width=10_000).strip()
    if isinstance(value, bool):
        return t(lang, "common.yes" if value else "common.no")
    return str(value)


def labelled(changes: list[FieldChange], lang: str) -> list[dict[str, str]]:
    """Rows for a table: the field's label in the curator's language, before, after."""
    return [{"field": _label(c.path, lang), "before": show_value(c.before, lang), "after": show_value(c.after, lang)}
            for c in changes]


def _label(path: str, lang: str) -> str:
    try:
        return field_label(path, lang)
    except KeyError:  # a key the schema does not know (the validator names it); show it as written
        return path
