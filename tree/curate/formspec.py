"""The curator's form, derived from the schema through :mod:`tree.fields`.

Adding a field to :class:`tree.schema.Instrument` adds it to the form, the docs and the
validation at once; nothing here lists fields by hand. Its words on screen (a Dutch and an
English label, the English help) are the one thing to add by hand, in the locales; a test fails
until they are there, so a new field never shows as a raw key.
"""

from __future__ import annotations

from typing import Any

from ..fields import Leaf, leaves, unflatten
from ..i18n import strings, t

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


# --- labels -----------------------------------------------------------------------------------
# A curator reads Dutch (or English) words, never schema keys: each leaf's label lives in the
# locales under ``fields.<path>`` (nested YAML, so the key is the dotted path itself). The Dutch
# help is the schema's own description — the one the field reference in instruments/README.md
# shows — so it is written once; the English help is in en.yaml under ``field_help.<path>``.


#: The locale section with each field's English help; only en.yaml has it (the Dutch help is the
#: schema's description, written once).
ENGLISH_HELP = "field_help."


def field_label(path: str, lang: str) -> str:
    """The field's name on screen: 'Samenvatting', 'Onderbouwing: jaar van de studie'."""
    return t(lang, f"fields.{path}")


def widget_label(spec: Leaf, lang: str) -> str:
    """The label a widget shows; a field every record needs says so in words, not with a '*'.

    A leaf of a group (``quality_basis.year``) is only required once its group is used, so its
    label stays plain and its help says when it is needed.
    """
    label = field_label(spec.path, lang)
    return t(lang, "curator_form.required_label", label=label) if spec.required and spec.group is None else label


def field_help(spec: Leaf, lang: str) -> str:
    """What to fill in: the schema's description (Dutch) or its English translation."""
    text = strings("en").get(ENGLISH_HELP + spec.path, spec.description) if lang == "en" else spec.description
    if spec.required and spec.group is not None:
        text = f"{text} {t(lang, 'curator_form.group_required')}"
    return text


#: Where the words for a fixed choice live, per field: the locale key is this prefix + the value.
_CHOICE_PREFIX: dict[str, str] = {
    "kind": "kinds.",
    "quality": "quality.",
    "quality_basis.tested": "quality.tested_",
    "cost": "describe.cost_",
    "status": "curator_form.status_",
    "scoring.direction": "curator_form.direction_",
}


def choice_key(path: str, value: str) -> str | None:
    """Where the words for a fixed choice live; ``None``: the id itself reads well enough."""
    prefix = _CHOICE_PREFIX.get(path)
    return f"{prefix}{value}" if prefix else None


def choice_label(path: str, value: str, lang: str) -> str:
    """A choice as words ('Getoetst in Nederland' for ``getoetst-nl``)."""
    key = choice_key(path, value)
    return t(lang, key) if key else value
