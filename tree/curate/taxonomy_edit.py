"""Changing the answer options of the five questions, without breaking the instruments.

Option ids are a public contract (shareable links, scripts) and every instrument refers to them,
so the questions file is never edited on its own: adding is free, renaming migrates every
instrument file that uses the old id in the same change (one history entry, all or nothing),
and removing is refused while anything still uses the option. The questions file is edited with
ruamel's round-trip mode so its comments and layout survive; instrument files are re-rendered
with :func:`tree.curate.store.render_record` given their previous text, for the same reason.
"""

from __future__ import annotations

import copy
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from ..databank import QUESTIONS_FILE, Databank, validation_problems
from ..safe_files import UnsafeFile, read_inside
from ..schema import SLUG_PATTERN, Option, Taxonomy
from ..yamlio import MAX_FILE_BYTES, YamlProblem, parse_yaml
from . import store
from .yamlrt import round_trip_yaml


class OptionInUse(ValueError):
    """Removing this option would leave instruments (or other options) pointing at nothing."""

    def __init__(self, qid: str, oid: str, instruments: list[str], options: list[str] | None = None) -> None:
        self.qid = qid
        self.oid = oid
        self.instruments = list(instruments)
        self.options = list(options or [])
        parts = []
        if self.instruments:
            parts.append(f"instrumenten / instruments: {', '.join(self.instruments)}")
        if self.options:
            parts.append(f"opties / options: {', '.join(self.options)}")
        super().__init__(f"optie '{qid}/{oid}' is nog in gebruik / option still in use — {'; '.join(parts)}")


@dataclass(frozen=True)
class _UserFile:
    name: str
    id: str
    text: str
    data: dict


# --- the questions file, round trip -------------------------------------------------------


def _yaml() -> YAML:
    return round_trip_yaml((2, 4, 2))  # the questions file's layout


def load_questions(bank_path: str | Path) -> tuple[Any, str]:
    """The questions file as round-trip data (comments kept) plus its text (for a digest)."""
    # decoded as is (a BOM stays): its digest is compared with the file's
    text = read_inside(Path(bank_path), QUESTIONS_FILE, MAX_FILE_BYTES).decode("utf-8")
    return _yaml().load(text), text


def dump_questions(data: Any) -> str:
    buf = io.StringIO()
    _yaml().dump(data, buf)
    return buf.getvalue()


def _plain(data: Any) -> Any:
    """Round-trip containers as plain dicts/lists: the strict schema wants exact types."""
    return json.loads(json.dumps(data, default=str))


def _validate_taxonomy(data: Any) -> None:
    try:
        Taxonomy.model_validate(_plain(data))
    except ValidationError as err:
        problems = validation_problems(QUESTIONS_FILE, err, None)
        raise ValueError("; ".join(f"{p.field or '-'}: {p.message}" for p in problems)) from None


def _question(data: Any, qid: str) -> Any:
    for q in data["questions"]:
        if q["id"] == qid:
            return q
    raise ValueError(f"onbekende vraag / unknown question: {qid}")


def _index(question: Any, oid: str) -> int:
    for n, opt in enumerate(question["options"]):
        if opt["id"] == oid:
            return n
    raise ValueError(f"onbekende optie / unknown option: {question['id']}/{oid}")


def _check_slug(oid: Any) -> None:
    if not isinstance(oid, str) or not re.fullmatch(SLUG_PATTERN, oid) or len(oid) > 60:
        raise ValueError(
            f"'{oid}' is geen geldige id: alleen kleine letters, cijfers en streepjes / "
            "not a valid id: only lowercase letters, digits and hyphens"
        )


def _last_comment_slot(node: Any) -> tuple[Any, Any] | None:
    """The (container, key) whose comment ends ``node`` — where ruamel keeps a trailing blank line."""
    if isinstance(node, CommentedMap) and node:
        key = list(node)[-1]
        deeper = _last_comment_slot(node[key])
        if deeper is not None:
            return deeper
        return (node, key) if key in node.ca.items else None
    if isinstance(node, CommentedSeq) and node:
        key = len(node) - 1
        deeper = _last_comment_slot(node[key])
        if deeper is not None:
            return deeper
        return (node, key) if key in node.ca.items else None
    return None


def _is_block_scalar(value: Any) -> bool:
    return isinstance(value, FoldedScalarString | LiteralScalarString)


def _end_slot(node: CommentedMap) -> tuple[Any, Any]:
    """Where a comment after the last line of ``node`` goes: its last key, inside block-style maps."""
    key = list(node)[-1]
    value = node[key]
    if isinstance(value, CommentedMap) and value and not value.fa.flow_style():
        return _end_slot(value)
    return node, key


def _move_trailing_gap(source: Any, target: Any) -> None:
    """Move the blank line/comment that ends ``source`` to the end of ``target``.

    The questions file has a blank line after each question's last option; ruamel stores it on
    that option's last value. Without this, an appended option would end up after the blank line.
    After a block scalar (``>-``) the token holds only the extra newline; after anything else it
    also needs the line end, hence the adjustment.
    """
    slot = _last_comment_slot(source)
    if slot is None or not isinstance(target, CommentedMap) or not target:
        return
    container, key = slot
    entry = container.ca.items.pop(key)
    token = entry[2] if len(entry) > 2 else None
    if token is None:
        return
    was_block = _is_block_scalar(container[key])
    t_container, t_key = _end_slot(target)
    is_block = _is_block_scalar(t_container[t_key])
    if was_block and not is_block:
        token.value = "\n" + token.value
    elif is_block and not was_block and token.value.startswith("\n"):
        token.value = token.value[1:]
    entry = t_container.ca.items.setdefault(t_key, [None, None, None, None])
    if entry[2] is None:
        entry[2] = token
    else:  # keep the target's own end-of-line comment in front of the moved lines
        entry[2].value += token.value.removeprefix("\n") if not is_block else token.value


def _as_commented(option: dict) -> CommentedMap:
    """A new option in the file's own style: short texts as flow maps, like the existing labels."""
    out = CommentedMap()
    for key in ("id", "label", "explanation", "broader", "combines"):
        if option.get(key) is None:
            continue
        value = option[key]
        if isinstance(value, dict):
            value = CommentedMap(value)
            if sum(len(str(v)) for v in value.values()) < 60:
                value.fa.set_flow_style()
        elif isinstance(value, list):
            value = CommentedSeq(value)
            value.fa.set_flow_style()
        out[key] = value
    return out


# --- who uses an option --------------------------------------------------------------------


def _user_files(bank: Databank, qid: str, oid: str) -> list[_UserFile]:
    """Every instrument file (valid, retired or even broken) whose ``qid`` list holds ``oid``.

    Read from the files, not from the graph: the graph only knows active, valid instruments,
    and a retired record still points at the option.
    """
    out = []
    for path in sorted(Path(bank.path).iterdir()):
        # databank-level files (_questions, _coverage) are no instruments; links out are never read
        if path.name.startswith("_") or path.suffix not in (".yaml", ".yml"):
            continue
        try:
            text = read_inside(Path(bank.path), path.name, MAX_FILE_BYTES).decode("utf-8")
            data = parse_yaml(text).data
        except (UnicodeDecodeError, YamlProblem, UnsafeFile):
            continue
        if isinstance(data, dict) and isinstance(data.get(qid), list) and oid in data[qid]:
            iid = data.get("id") if isinstance(data.get("id"), str) else path.stem
            out.append(_UserFile(path.name, iid, text, data))
    return out


def usage(bank: Databank, qid: str, oid: str) -> list[str]:
    """Ids of all instruments (active and retired) tagged with option ``oid`` of question ``qid``."""
    return sorted({u.id for u in _user_files(bank, qid, oid)})


def _referrers(question: Any, oid: str) -> list[str]:
    return [
        o["id"]
        for o in question["options"]
        if o["id"] != oid and (o.get("broader") == oid or oid in (o.get("combines") or []))
    ]


# --- edits --------------------------------------------------------------------------------


def add_option(taxonomy_data: dict, qid: str, option: dict, *, after: str | None = None) -> dict:
    """A copy of ``taxonomy_data`` with ``option`` added to question ``qid`` (at the end, or after ``after``).

    Works on round-trip data from :func:`load_questions` (comments kept) as well as on plain
    dicts. The result is validated as a whole, so a ``broader`` naming an unknown option or a
    cycle is refused here, before anything is saved. Save it with :func:`save_questions`.
    """
    _check_slug(option.get("id"))
    try:
        Option.model_validate(_plain(option))
    except ValidationError as err:
        problems = validation_problems(QUESTIONS_FILE, err, None)
        raise ValueError("; ".join(f"{p.field or '-'}: {p.message}" for p in problems)) from None
    data = copy.deepcopy(taxonomy_data)
    question = _question(data, qid)
    options = question["options"]
    if option["id"] in [o["id"] for o in options]:
        raise ValueError(f"optie '{option['id']}' bestaat al bij {qid} / option already exists")
    new = _as_commented(option) if isinstance(options, CommentedSeq) else copy.deepcopy(option)
    if after is None or _index(question, after) == len(options) - 1:
        if options:
            _move_trailing_gap(options[-1], new)
        options.append(new)
    else:
        options.insert(_index(question, after) + 1, new)
    _validate_taxonomy(data)
    return data


def _write_checked(
    bank_path: str | Path, changes: dict[str, str | None], opened: dict[str, str], *, author: str, message: str
) -> None:
    """Write ``changes`` as one commit, refusing (:class:`tree.curate.store.Conflict`) if a file we
    read is no longer the text we read (``opened``: name → text): another curator saved meanwhile.
    The digests are checked by :func:`tree.curate.commit.commit` under the databank lock."""
    expected = {name: store.digest(text) if text else None for name, text in opened.items()}
    store.commit(
        Path(bank_path),
        {name: store.FileChange(text, expected.get(name, store.ANY)) for name, text in changes.items()},
        author=author,
        message=message,
    )


def edit_option(taxonomy_data: Any, qid: str, oid: str, *, label: dict, explanation: dict, broader: str | None) -> Any:
    """Change an option's texts and broader option in place (its id stays: that is a rename).

    The result is validated as a whole, so a broader option that would make a cycle is refused
    before anything is saved.
    """
    question = _question(taxonomy_data, qid)
    option = question["options"][_index(question, oid)]
    option["label"] = {"nl": label["nl"], "en": label["en"]}
    option["explanation"] = {"nl": explanation["nl"], "en": explanation["en"]}
    if broader:
        option["broader"] = broader
    elif "broader" in option:
        del option["broader"]
    _validate_taxonomy(taxonomy_data)
    return taxonomy_data


def edit_question(taxonomy_data: Any, qid: str, *, label: dict, help: dict) -> Any:
    """Change a question's label and help text (the ids of questions are fixed)."""
    question = _question(taxonomy_data, qid)
    question["label"] = {"nl": label["nl"], "en": label["en"]}
    question["help"] = {"nl": help["nl"], "en": help["en"]}
    _validate_taxonomy(taxonomy_data)
    return taxonomy_data


def save_questions(
    bank_path: str | Path, taxonomy_data: Any, *, expected_digest: str, author: str, message: str
) -> str:
    """Save questions data (e.g. from :func:`add_option`); returns the new digest.

    ``expected_digest`` is the digest of the text :func:`load_questions` returned; a later save
    by someone else raises ``store.Conflict``. Comments and layout are kept by the store.
    """
    _validate_taxonomy(taxonomy_data)
    return store.save_taxonomy(
        bank_path, _plain(taxonomy_data), expected_digest=expected_digest, author=author, message=message
    )


def rename_option(bank: Databank, qid: str, old: str, new: str, *, author: str) -> list[str]:
    """Rename option ``old`` to ``new`` everywhere, in one change; returns the migrated instrument ids.

    The questions file gets the new id (also where other options name it as ``broader`` or in
    ``combines``) and every instrument file using ``old`` is rewritten with ``new`` (retired
    ones too). All files go through one :func:`tree.curate.commit.commit`, which validates the end
    state: if a file using ``old`` is broken for another reason, the rename is refused with that
    file's problems (``store.ValidationFailed``) rather than leaving it behind with the old id.
    The old id goes into the option's ``formerly`` list, so links shared before the rename still
    land on this option (``Taxonomy.current_id``). A new id that is another option's former id is
    refused: an old link would become ambiguous.
    """
    _check_slug(new)
    data, qtext = load_questions(bank.path)
    question = _question(data, qid)
    idx = _index(question, old)
    if new in [o["id"] for o in question["options"]]:
        raise ValueError(f"optie '{new}' bestaat al bij {qid} / option already exists")
    renamed = question["options"][idx]
    for n, opt in enumerate(question["options"]):
        if n != idx and new in (opt.get("formerly") or []):
            raise ValueError(
                f"'{new}' was eerder de id van optie '{opt['id']}'; oude links zouden dubbelzinnig worden"
                f" / '{new}' is a former id of option '{opt['id']}'"
            )
    renamed["id"] = new
    # renaming back (a → b → a) takes a off the list again; the id just given up goes on it.
    # Flow style, right under the id: one short line, and the blank line ruamel keeps on an
    # option's last key (the gap between questions) stays where it is.
    formerly = CommentedSeq([f for f in (renamed.get("formerly") or []) if f != new] + [old])
    formerly.fa.set_flow_style()
    if "formerly" in renamed:
        renamed["formerly"] = formerly
    else:
        renamed.insert(1, "formerly", formerly)
    for opt in question["options"]:
        if opt.get("broader") == old:
            opt["broader"] = new
        combines = opt.get("combines")
        if combines:
            for n, ref in enumerate(combines):
                if ref == old:
                    combines[n] = new
    _validate_taxonomy(data)
    changes: dict[str, str | None] = {QUESTIONS_FILE: dump_questions(data)}
    opened = {QUESTIONS_FILE: qtext}
    migrated = []
    for user in _user_files(bank, qid, old):
        record = dict(user.data)
        values: list[Any] = []
        for v in record[qid]:
            v = new if v == old else v
            if v not in values:
                values.append(v)
        record[qid] = values
        changes[user.name] = store.render_record(record, user.text)
        opened[user.name] = user.text
        migrated.append(user.id)
    message = f"Optie hernoemd: {qid}/{old} → {new} ({len(migrated)} instrumenten)"
    _write_checked(bank.path, changes, opened, author=author, message=message)
    return sorted(migrated)


def remove_option(bank: Databank, qid: str, oid: str, *, author: str) -> None:
    """Remove an unused option; raises :class:`OptionInUse` listing what still uses it.

    "In use" means any instrument file (active, retired or broken) tagged with it, or another
    option naming it as ``broader`` or in ``combines``.
    """
    data, qtext = load_questions(bank.path)
    question = _question(data, qid)
    idx = _index(question, oid)
    users = usage(bank, qid, oid)
    referrers = _referrers(question, oid)
    if users or referrers:
        raise OptionInUse(qid, oid, instruments=users, options=referrers)
    options = question["options"]
    if idx == len(options) - 1 and idx > 0:
        _move_trailing_gap(options[idx], options[idx - 1])
    del options[idx]
    _validate_taxonomy(data)  # e.g. the last option of a question cannot go
    _write_checked(
        bank.path,
        {QUESTIONS_FILE: dump_questions(data)},
        {QUESTIONS_FILE: qtext},
        author=author,
        message=f"Optie verwijderd: {qid}/{oid}",
    )
