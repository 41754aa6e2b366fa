"""Strings: both languages, plural forms, every key used."""

from __future__ import annotations

import re

from tree.curate.formspec import ENGLISH_HELP
from tree.fields import leaves
from tree.i18n import strings, t

# a count followed by a plural noun or verb: such a string needs a 'one' form for 1
PLURAL_AFTER_COUNT = re.compile(
    r"\{(?:n|count|minutes)\} (?:instrumenten|instruments|minuten|minutes|seconden|seconds|records|passen|fit\b)"
)


def test_every_counted_string_has_a_singular_form():
    for lang in ("nl", "en"):
        offenders = [
            k for k, v in strings(lang).items() if PLURAL_AFTER_COUNT.search(v) and not k.endswith((".other", "_many"))
        ]
        assert offenders == [], (lang, offenders)


def test_one_and_other_read_right():
    assert t("nl", "results.exact_count", n=1) == "1 instrument past bij al uw antwoorden."
    assert t("nl", "results.exact_count", n=2) == "2 instrumenten passen bij al uw antwoorden."
    assert t("en", "workshop.still_fitting_n", n=1) == "1 instrument still fits"
    assert t("nl", "describe.minutes_value", n=1) == "1 minuut"
    assert t("en", "describe.minutes_value", n=1) == "1 minute"  # the advice PDF uses the card's wording


#: Sections only English has: the Dutch help of a form field is its schema description.
ENGLISH_ONLY = (ENGLISH_HELP,)


def test_both_languages_have_the_same_keys():
    english = {k for k in strings("en") if not k.startswith(ENGLISH_ONLY)}
    assert set(strings("nl")) == english
    assert not [k for k in strings("nl") if k.startswith(ENGLISH_ONLY)]  # written once, in tree/schema.py


def test_every_schema_field_has_words_in_both_languages():
    """A new field in tree/schema.py cannot reach the curator's form as a raw key."""
    paths = {leaf.path for leaf in leaves()}
    for lang in ("nl", "en"):
        labels = {k.removeprefix("fields."): v for k, v in strings(lang).items() if k.startswith("fields.")}
        assert sorted(paths - set(labels)) == [], (lang, "no label")
        assert sorted(set(labels) - paths) == [], (lang, "label of a field the schema no longer has")
        # a label is words: not the key, no Markdown a widget label would render
        raw = [p for p, v in labels.items() if not v.strip() or v == p or re.search(r"[*_`]", v)]
        assert raw == [], (lang, raw)
    helps = {k.removeprefix(ENGLISH_HELP): v for k, v in strings("en").items() if k.startswith(ENGLISH_HELP)}
    assert sorted(paths - set(helps)) == [] and sorted(set(helps) - paths) == []
    assert [leaf.path for leaf in leaves() if not leaf.description] == []  # the Dutch help


#: Modules with a ``tx(lang, "key")`` helper that reads ``<section>.<key>``.
TX_SECTIONS = {"advice.py": "advice", "document.py": "plan"}


def _used_keys() -> tuple[set[str], set[str]]:
    """Keys written out in the code, and the prefixes of keys the code builds (f"kinds.{kind}")."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    files = [p for folder in ("tree", "ui", "pages") for p in (root / folder).rglob("*.py")] + [root / "app.py"]
    literal: set[str] = set()
    built: set[str] = set()
    for path in files:
        text = path.read_text(encoding="utf-8")
        literal |= set(re.findall(r"[\"']([a-z_]+\.[a-z0-9_.-]+)[\"']", text))
        built |= set(re.findall(r"f[\"']([a-z_]+\.[a-z_]*)\{", text))
        section = TX_SECTIONS.get(path.name) if path.parent.name in ("tree", "meetplan") else None
        if section:
            literal |= {f"{section}.{k}" for k in re.findall(r"tx\(\s*[a-z_.]+,\s*[\"']([a-z_]+)[\"']", text)}
            built |= {f"{section}.{k}" for k in re.findall(r"tx\(\s*[a-z_.]+,\s*f[\"']([a-z_]*)\{", text)}
    # a written-out prefix ("curator_form.status_" in a table of prefixes) builds keys too
    built |= {k for k in literal if k.endswith(("_", "."))}
    # the tx helpers' own f"advice.{key}" / f"plan.{key}" say nothing about which keys are used
    built -= {f"{section}." for section in TX_SECTIONS.values()}
    return literal, built


def test_every_string_is_used():
    literal, built = _used_keys()
    unused = []
    for key in strings("nl"):
        base = re.sub(r"\.(one|other)$", "", key)
        if base in literal or any(base.startswith(prefix) for prefix in built):
            continue
        unused.append(key)
    assert unused == [], unused
