"""Strings: both languages, plural forms, every key used."""

from __future__ import annotations

import re

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
    assert t("en", "advice.minutes_value", minutes=1) == "1 minute"


def test_both_languages_have_the_same_keys():
    assert set(strings("nl")) == set(strings("en"))
