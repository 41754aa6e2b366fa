"""Would the databank still load cleanly after these changes? Asked before anything is written."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..databank import (
    QUESTIONS_FILE,
    Problem,
    check_against_taxonomy,
    load_databank,
    load_taxonomy,
    parse_instrument_text,
    validation_problems,
)
from ..schema import BRANCHES, Taxonomy
from ..yamlio import YamlProblem, parse_yaml


def _is_instrument_file(name: str) -> bool:
    return name.endswith((".yaml", ".yml")) and not name.startswith("_")


def _parse_taxonomy(text: str) -> tuple[Taxonomy | None, list[Problem]]:
    try:
        parsed = parse_yaml(text)
    except YamlProblem as p:
        return None, [Problem(QUESTIONS_FILE, p.line, p.field, p.message)]
    try:
        return Taxonomy.model_validate(parsed.data), []
    except ValidationError as err:
        return None, validation_problems(QUESTIONS_FILE, err, parsed)


def validate_changes(
    bank_path: str | os.PathLike[str], changes: Mapping[str, str | None], taxonomy: Taxonomy | None = None
) -> list[Problem]:
    """Problems the loader would report for the databank after ``changes`` (empty list: safe to write).

    Checks each changed instrument file (schema, option ids, file name = id), a changed questions
    file (schema) and, when the questions change, that no unchanged instrument uses a removed option.
    """
    bank = Path(bank_path)
    problems: list[Problem] = []
    if QUESTIONS_FILE in changes:
        text = changes[QUESTIONS_FILE]
        if text is None:
            return [Problem(QUESTIONS_FILE, None, None, "het vragenbestand kan niet weg / cannot delete the questions")]
        taxonomy, problems = _parse_taxonomy(text)
        if taxonomy is None:
            return problems
    if taxonomy is None:
        taxonomy = load_taxonomy(bank)
    current = load_databank(bank) if bank.joinpath(QUESTIONS_FILE).is_file() else None
    owners = dict(current.files) if current else {}
    for name, text in changes.items():
        if not _is_instrument_file(name) or text is None:
            continue
        if not text.strip():
            problems.append(Problem(name, 1, None, "bestand is leeg / file is empty"))
            continue
        pf = parse_instrument_text(name, text)
        problems.extend(pf.problems)
        if pf.instrument is None:
            continue
        problems.extend(check_against_taxonomy(name, pf.instrument, pf.parsed, taxonomy))
        other = owners.get(pf.instrument.id)
        if other and other != name and other not in changes:
            line = pf.parsed.line_of(("id",)) if pf.parsed else None
            problems.append(
                Problem(name, line, "id", f"id '{pf.instrument.id}' komt al voor in {other} / duplicate id")
            )
    if QUESTIONS_FILE in changes and current is not None:
        problems.extend(_removed_options_in_use(current, changes, taxonomy))
    return problems


def _removed_options_in_use(bank: Any, changes: Mapping[str, str | None], taxonomy: Taxonomy) -> list[Problem]:
    """One problem per option that would disappear while unchanged instruments still use it."""
    users: dict[tuple[str, str], list[str]] = {}
    for iid, inst in bank.instruments.items():
        if bank.files.get(iid) in changes:
            continue
        for qid in BRANCHES:
            known = set(taxonomy.option_ids(qid))
            for oid in inst.options(qid):
                if oid not in known:
                    users.setdefault((qid, oid), []).append(iid)
    return [
        Problem(
            QUESTIONS_FILE,
            None,
            qid,
            f"optie '{oid}' wordt nog gebruikt door / option is still used by: {', '.join(sorted(ids))}",
        )
        for (qid, oid), ids in sorted(users.items())
    ]


