"""Writing the databank safely: validate first, never lose someone else's save, never half-write a file.

Curators edit the databank through the app while the wizard keeps reading it, and two curators may
have the same record open. So every write here

1. renders YAML that the loader reads back exactly as intended (checked with both PyYAML loaders),
   keeping the curator's comments and key order when a file is edited (ruamel round trip);
2. validates with the very checks the loader uses, and writes nothing when there is a problem;
3. refuses to overwrite a file that changed since it was opened (:class:`Conflict`, with both texts
   so the UI can show the difference);
4. writes each file atomically (temp file in the same folder, fsync, ``os.replace``), so a crash
   leaves the old file or the new one, never a mix; the new inode also makes the loader's stat cache
   see the change at once;
5. records who changed what in :mod:`tree.curate.history` (git commit or ``_history.jsonl``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os
import re
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)
from ruamel.yaml.tokens import CommentToken
from ruamel.yaml.util import load_yaml_guess_indent

from ..databank import (
    QUESTIONS_FILE,
    Problem,
    check_against_taxonomy,
    load_databank,
    load_taxonomy,
    parse_instrument_text,
    validation_problems,
)
from ..schema import BRANCHES, SLUG_PATTERN, Instrument, Source, Taxonomy
from ..yamlio import YamlProblem, parse_yaml
from . import history

try:  # advisory lock across processes (two `streamlit run` on one databank); not on Windows
    import fcntl
except ImportError:  # pragma: no cover - platform dependent
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "Conflict",
    "Opened",
    "ValidationFailed",
    "digest",
    "normalize_record",
    "open_file",
    "open_record",
    "render_document",
    "render_record",
    "retire",
    "save_record",
    "save_taxonomy",
    "validate_changes",
    "write_files",
]

#: Longest line we aim for when folding long texts (the shipped files stay under ~120 columns).
FOLD_WIDTH = 100
#: ruamel must never re-wrap plain scalars itself: that would rewrite untouched URLs and texts.
_NO_WRAP = 4096
_DEFAULT_INDENT = (2, 4, 2)  # mapping, sequence, offset: what most shipped records use ("  - title: …")
_SLUG_RE = re.compile(SLUG_PATTERN)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Fields the strict schema wants as real dates; a form gives "2026-11-23" strings.
_DATE_FIELDS = frozenset(n for n, f in Instrument.model_fields.items() if f.annotation is dt.date)
_YAML11 = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"


# --- errors and small types ------------------------------------------------------------------


class ValidationFailed(Exception):
    """The change would give the loader problems; nothing was written. ``problems`` say where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class Conflict(Exception):
    """Someone saved this file after it was opened; nothing was written.

    ``theirs`` is the text on disk now ("" when the file was deleted), ``mine`` the text the curator
    wanted to save, rendered in the layout of ``theirs`` so a line diff shows only real differences.
    """

    def __init__(self, file: str, theirs: str, mine: str) -> None:
        super().__init__(f"{file} is intussen door iemand anders gewijzigd / was changed by someone else")
        self.file = file
        self.theirs = theirs
        self.mine = mine


@dataclass
class Opened:
    """A file as a curator opened it; ``digest`` goes back into the save to detect conflicts."""

    file: str
    text: str
    digest: str


def digest(text: str) -> str:
    """SHA-1 of the UTF-8 text: the same digest the loader computes per file (``Databank.version``)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


# --- locking ----------------------------------------------------------------------------------

_locks_guard = threading.Lock()
_locks: dict[str, threading.RLock] = {}
_held = threading.local()


@contextlib.contextmanager
def bank_lock(bank: Path) -> Iterator[None]:
    """Serialise check-then-write per databank: threads of one app, and processes via flock on the folder.

    Without it two saves could both pass the digest check and the second would silently win.
    Re-entrant within a thread (save_record → write) so the flock is taken once.
    """
    key = str(bank.resolve())
    with _locks_guard:
        lock = _locks.setdefault(key, threading.RLock())
    with lock:
        depth: dict[str, int] = getattr(_held, "depth", None) or {}
        _held.depth = depth
        fd = None
        if depth.get(key, 0) == 0 and fcntl is not None:
            with contextlib.suppress(OSError):
                fd = os.open(key, os.O_RDONLY)
                fcntl.flock(fd, fcntl.LOCK_EX)
        depth[key] = depth.get(key, 0) + 1
        try:
            yield
        finally:
            depth[key] -= 1
            if fd is not None:
                with contextlib.suppress(OSError):
                    fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)


# --- reading ----------------------------------------------------------------------------------


def _check_name(name: str) -> str:
    """File names come from the UI: refuse anything that could leave the databank folder."""
    if not name or "/" in name or "\\" in name or name.startswith(".") or "\0" in name:
        raise ValueError(f"ongeldige bestandsnaam / invalid file name: {name!r}")
    return name


def _record_file(bank: Path, instrument_id: str) -> str:
    """``<id>.yaml``, or ``<id>.yml`` when only that exists (the loader reads both)."""
    name = _check_name(f"{instrument_id}.yaml")
    if not (bank / name).exists() and (bank / f"{instrument_id}.yml").is_file():
        return f"{instrument_id}.yml"
    return name


def _read(path: Path) -> tuple[str, str] | None:
    """(text, digest) of a file, or None when it does not exist. Bytes are read as-is (no newline
    translation) so the digest equals the loader's."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    return raw.decode("utf-8", errors="replace"), hashlib.sha1(raw).hexdigest()


def open_file(bank_path: str | os.PathLike[str], file: str) -> Opened:
    """Open any databank file (e.g. ``_questions.yaml``) for editing."""
    found = _read(Path(bank_path) / _check_name(file))
    if found is None:
        raise FileNotFoundError(Path(bank_path) / file)
    return Opened(file, found[0], found[1])


def open_record(bank_path: str | os.PathLike[str], instrument_id: str) -> Opened:
    """Open the file of one instrument (``<id>.yaml``) for editing."""
    return open_file(bank_path, _record_file(Path(bank_path), instrument_id))


# --- rendering --------------------------------------------------------------------------------


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | tuple | dict) and len(value) == 0)


def _plain(value: Any, drop_empty: bool) -> Any:
    """Plain builtin data (no ruamel/pydantic types), texts stripped like the schema strips them."""
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            v = _plain(v, drop_empty)
            if v is None or (drop_empty and _empty(v)):
                continue
            out[str(k)] = v
        return out
    if isinstance(value, list | tuple):
        return [_plain(v, drop_empty) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return str(value).strip()
    return value


def _ordered(data: dict, fields: list[str]) -> dict:
    out = {k: data[k] for k in fields if k in data}
    out.update((k, v) for k, v in data.items() if k not in out)  # unknown keys last: validation names them
    return out


def normalize_record(record: Mapping[str, Any]) -> dict:
    """The record as it should be stored: schema field order, no empty optional fields, no
    ``status: actief`` (the default), ISO date strings as real dates (the schema is strict)."""
    data = _plain(record, drop_empty=True)
    if data.get("status") == "actief":
        del data["status"]
    for name in _DATE_FIELDS:
        value = data.get(name)
        if isinstance(value, str) and _ISO_DATE.match(value):
            with contextlib.suppress(ValueError):
                data[name] = dt.date.fromisoformat(value)
    if isinstance(data.get("sources"), list):
        fields = list(Source.model_fields)
        data["sources"] = [_ordered(s, fields) if isinstance(s, dict) else s for s in data["sources"]]
    return _ordered(data, list(Instrument.model_fields))


def _same(a: Any, b: Any) -> bool:
    """Equality that tells ``True`` from ``1`` and a date from a datetime (YAML does)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _fold_positions(text: str, width: int) -> list[int]:
    """Where to break a folded (``>-``) text so lines stay under ``width``: single spaces between words."""
    positions, start, last_space = [], 0, None
    for i, ch in enumerate(text):
        if ch == " " and 0 < i < len(text) - 1 and text[i - 1] != " " and text[i + 1] != " ":
            if i - start > width and last_space is not None:
                positions.append(last_space)
                start = last_space + 1
            last_space = i
    if len(text) - start > width and last_space is not None and last_space > start:
        positions.append(last_space)
    return positions


def _scalar(value: Any, like: Any, depth: int) -> Any:
    """A ruamel scalar for ``value``, in the style of the node it replaces (``like``) if any."""
    if not isinstance(value, str):
        return value
    if _YAML11.resolve(yaml.ScalarNode, value, (True, False)) != _STR_TAG:
        # "yes", "12", "2026-01-01" must stay text for PyYAML (YAML 1.1), which ruamel (1.2) won't see
        quoted = DoubleQuotedScalarString if isinstance(like, DoubleQuotedScalarString) else SingleQuotedScalarString
        return quoted(value)
    if "\n" in value:
        return LiteralScalarString(value)
    if isinstance(like, SingleQuotedScalarString | DoubleQuotedScalarString):
        return type(like)(value)
    fold = isinstance(like, FoldedScalarString) or (
        not isinstance(like, str) and len(value) > FOLD_WIDTH - 2 * depth and " " in value
    )
    if fold:
        out = FoldedScalarString(value)
        out.fold_pos = _fold_positions(value, FOLD_WIDTH)  # type: ignore[attr-defined]
        return out
    return value


def _flow(node: Any) -> bool | None:
    return node.fa.flow_style() if isinstance(node, CommentedMap | CommentedSeq) else None


def _to_node(value: Any, like: Any = None, depth: int = 0) -> Any:
    """Plain data → ruamel nodes. ``like`` (the old node, or a sibling) gives flow/block and quoting
    style, so a changed ``doelgroep: [a, b]`` stays a flow list and a changed label stays ``{nl:, en:}``."""
    if isinstance(value, dict):
        node = CommentedMap()
        for k, v in value.items():
            node[k] = _to_node(v, like.get(k) if isinstance(like, Mapping) else None, depth + 1)
        if _flow(like):
            node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        seq = CommentedSeq()
        for i, v in enumerate(value):
            item_like = None
            if isinstance(like, list) and like:
                item_like = like[i] if i < len(like) else like[0]
                if isinstance(v, str) and not isinstance(item_like, str):
                    item_like = None
            seq.append(_to_node(v, item_like, depth + 1))
        flow = _flow(like)
        if flow is None:  # new list: short option/text lists inline, like most shipped records
            flow = bool(value) and all(not isinstance(v, dict | list) and "\n" not in str(v) for v in value)
        if flow:
            seq.fa.set_flow_style()
        else:
            seq.fa.set_block_style()
        return seq
    return _scalar(value, like, depth)


# Comments after a value live on the value's last scalar: ``[eol comment]\n[full comment lines]``.
# Moving them as a unit keeps "comments stay where they were" when a value is replaced or removed.


def _tail_slot(container: Any, key: Any) -> tuple[Any, Any, int]:
    value = container[key]
    if isinstance(value, CommentedSeq) and len(value) and not value.fa.flow_style():
        return _tail_slot(value, len(value) - 1)
    if isinstance(value, CommentedMap) and len(value) and not value.fa.flow_style():
        return _tail_slot(value, next(reversed(value)))
    return container, key, (0 if isinstance(container, CommentedSeq) else 2)


def _split(token_value: str) -> tuple[str | None, str]:
    if token_value.startswith("#"):
        eol, _, rest = token_value.partition("\n")
        return eol, rest
    return None, token_value[1:] if token_value.startswith("\n") else token_value


def _block_scalar(holder: Any, k: Any) -> bool:
    """A ``>-``/``|`` text ends its own line, so the comment token after it has no line end first."""
    return isinstance(holder[k], FoldedScalarString | LiteralScalarString)


def _pop_tail(container: Any, key: Any) -> tuple[str | None, str, CommentToken | None]:
    holder, k, idx = _tail_slot(container, key)
    entry = holder.ca.items.get(k)
    if not entry or len(entry) <= idx or not isinstance(entry[idx], CommentToken):
        return None, "", None
    token = entry[idx]
    entry[idx] = None
    if _block_scalar(holder, k):
        return None, token.value, token
    eol, lines = _split(token.value)
    return eol, lines, token


def _put_tail(container: Any, key: Any, eol: str | None, lines: str, token: CommentToken | None) -> None:
    holder, k, idx = _tail_slot(container, key)
    block = _block_scalar(holder, k)
    if block:
        eol = None  # an end-of-line comment cannot follow a block text; it is dropped with the old value
    if not eol and not lines:
        return
    entry = holder.ca.items.setdefault(k, [None, None, None, None])
    while len(entry) <= idx:
        entry.append(None)
    current = entry[idx]
    if isinstance(current, CommentToken):  # merge with what is there (its eol wins)
        cur_eol, cur_lines = (None, current.value) if block else _split(current.value)
        eol, lines, token = cur_eol or eol, cur_lines + lines, current
    value = lines if block else (eol + "\n" if eol else "\n") + lines
    if token is None:
        token = CommentToken(value, CommentMark(0), None)
    token.value = value
    entry[idx] = token


def _pre_comment(container: Any, key: Any) -> str:
    """Comment lines ruamel keeps *before* a key (after a flow collection); removed from the key."""
    entry = container.ca.items.get(key)
    if not entry or len(entry) < 2 or not entry[1]:
        return ""
    tokens = entry[1] if isinstance(entry[1], list) else [entry[1]]
    entry[1] = None
    return "".join(t.value for t in tokens if isinstance(t, CommentToken))


def _delete_key(node: CommentedMap, key: Any) -> None:
    """Remove a key; its own end-of-line comment goes with it, full comment lines stay in place."""
    keys = list(node)
    pos = keys.index(key)
    before = _pre_comment(node, key)
    _eol, lines, _token = _pop_tail(node, key)
    del node[key]
    node.ca.items.pop(key, None)
    keep = before + lines
    if not keep:
        return
    if pos > 0:
        _put_tail(node, keys[pos - 1], None, keep, None)
    else:
        top = node.ca.comment
        if top is None:
            node.ca.comment = [None, []]
            top = node.ca.comment
        if top[1] is None:
            top[1] = []
        top[1].append(CommentToken(keep, CommentMark(0), None))


def _insert_key(node: CommentedMap, pos: int, key: Any, value: Any, like: Any, depth: int) -> None:
    """Insert a key; comment lines that sat below the previous value stay above the *next* key."""
    keys = list(node)
    moved: tuple[str | None, str, CommentToken | None] = (None, "", None)
    if pos > 0:
        eol, lines, token = _pop_tail(node, keys[pos - 1])
        _put_tail(node, keys[pos - 1], eol, "", token)
        moved = (None, lines, None)
    node.insert(pos, key, _to_node(value, like, depth))
    _put_tail(node, key, *moved)


def _replace(container: Any, key: Any, value: Any, depth: int) -> None:
    old_node = container[key]
    eol, lines, token = _pop_tail(container, key)
    container[key] = _to_node(value, old_node, depth)
    _put_tail(container, key, eol, lines, token)


def _merge(node: Any, old: Any, new: Any, depth: int = 0) -> None:
    """Update ruamel ``node`` (whose plain PyYAML reading is ``old``) in place to hold ``new``."""
    if isinstance(node, CommentedMap):
        old = old if isinstance(old, dict) else {}
        for key in [k for k in node if k not in new]:
            _delete_key(node, key)
        order = list(new)
        for i, (key, value) in enumerate(new.items()):
            if key in node:
                before = old.get(key, _MISSING)
                if _same(before, value):
                    continue
                child = node[key]
                if (
                    isinstance(child, CommentedMap | CommentedSeq)
                    and type(before) is type(value)
                    and isinstance(value, dict | list)
                ):
                    _merge(child, before, value, depth + 1)
                else:
                    _replace(node, key, value, depth + 1)
            else:
                current = list(node)
                pos = max((current.index(k) for k in order[:i] if k in node), default=-1) + 1
                _insert_key(node, pos, key, value, None, depth + 1)
        return
    if isinstance(node, CommentedSeq):
        _merge_seq(node, old if isinstance(old, list) else [], new, depth)


_MISSING = object()


def _ids(items: list) -> list | None:
    if items and all(isinstance(i, dict) and isinstance(i.get("id"), str) for i in items):
        ids = [i["id"] for i in items]
        if len(set(ids)) == len(ids):
            return ids
    return None


def _merge_seq(seq: CommentedSeq, old: list, new: list, depth: int) -> None:
    """Lists of records with an ``id`` (questions, options) are matched by id, so editing, adding or
    reordering options keeps each option's comments; other lists are matched by position."""
    old_ids, new_ids = _ids(old), _ids(new)
    if len(old) != len(seq):
        old_ids = None
    if old_ids is not None and new_ids is not None:
        if old_ids == new_ids:
            for i, item in enumerate(new):
                if not _same(old[i], item):
                    _merge(seq[i], old[i], item, depth + 1)
            return
        tail = _pop_tail(seq, len(seq) - 1) if len(seq) else (None, "", None)
        by_id = dict(zip(old_ids, zip(list(seq), old, strict=True), strict=True))
        template = seq[0] if len(seq) else None
        nodes = []
        for item in new:
            if item["id"] in by_id:
                node, before = by_id[item["id"]]
                _merge(node, before, item, depth + 1)
                nodes.append(node)
            else:
                nodes.append(_to_node(item, template, depth + 1))
        seq[:] = nodes
        seq.ca.items.clear()
        if len(seq):
            _put_tail(seq, len(seq) - 1, *tail)
        return
    if len(old) == len(new) == len(seq):
        for i, item in enumerate(new):
            if _same(old[i], item):
                continue
            if isinstance(seq[i], CommentedMap | CommentedSeq) and type(old[i]) is type(item):
                _merge(seq[i], old[i], item, depth + 1)
            else:
                _replace(seq, i, item, depth + 1)
        return
    # Different length: rebuild, keeping end-of-line comments of items that survive and the tail.
    tail = _pop_tail(seq, len(seq) - 1) if len(seq) else (None, "", None)
    kept: dict[str, list] = {}
    for i, before in enumerate(old[: len(seq)]):
        entry = seq.ca.items.get(i)
        if entry and isinstance(before, str):
            kept.setdefault(before, entry)
    template = list(seq)
    flow = seq.fa.flow_style()
    fresh = _to_node(new, template, depth)
    seq[:] = list(fresh)
    seq.ca.items.clear()
    for i, item in enumerate(new):
        if isinstance(item, str) and item in kept:
            seq.ca.items[i] = kept.pop(item)
    if flow:
        seq.fa.set_flow_style()
    if len(seq):
        _put_tail(seq, len(seq) - 1, *tail)


def _yaml(indent: tuple[int, int, int]) -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = _NO_WRAP
    y.allow_unicode = True
    y.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
    return y


def _dump(y: YAML, node: Any) -> str:
    buf = io.StringIO()
    y.dump(node, buf)
    return buf.getvalue()


def _reads_as(text: str, expected: Any) -> bool:
    """Both loaders the project may use (libyaml via yamlio, pure-Python SafeLoader) see ``expected``."""
    try:
        fast = parse_yaml(text)
        slow = yaml.load(text, Loader=yaml.SafeLoader)
    except (YamlProblem, yaml.YAMLError):
        return False
    return not fast.duplicate_keys and _same(fast.data, expected) and _same(slow, expected)


def render_document(data: dict, previous_text: str | None = None) -> str:
    """YAML text for ``data`` (already in the wanted key order, plain values).

    With ``previous_text`` the old document is updated in place (ruamel round trip): comments stay,
    existing keys keep the file's order and style, unchanged values are not touched at all, new keys
    go after the keys that precede them in ``data``. The result is always re-read with PyYAML and
    must give exactly ``data``; if the round trip cannot guarantee that, a fresh rendering is used
    (comments lost, data right), and as last resort PyYAML's own dumper.
    """
    attempts: list[str] = []
    if previous_text is not None and previous_text.strip():
        with contextlib.suppress(YAMLError, YamlProblem, ValueError, TypeError, KeyError, IndexError):
            _, ind, bsi = load_yaml_guess_indent(previous_text)
            seq = ind if ind is not None else _DEFAULT_INDENT[1]
            off = bsi if bsi is not None else max(seq - 2, 0)
            y = _yaml((_DEFAULT_INDENT[0], seq, off))
            node = y.load(previous_text)
            if isinstance(node, CommentedMap):
                old = parse_yaml(previous_text).data
                _merge(node, old, data)
                attempts.append(_dump(y, node))
    with contextlib.suppress(YAMLError, ValueError, TypeError):
        attempts.append(_dump(_yaml(_DEFAULT_INDENT), _to_node(data)))
    for text in attempts:
        if _reads_as(text, data):
            return text
    from ..yamlio import dump

    text = dump(data)
    if not _reads_as(text, data):  # pragma: no cover - would be a PyYAML bug
        raise ValueError("kan deze gegevens niet als YAML schrijven / cannot render this data as YAML")
    return text


def render_record(record: Mapping[str, Any], previous_text: str | None = None) -> str:
    """YAML text for one instrument record (see :func:`normalize_record` and :func:`render_document`)."""
    return render_document(normalize_record(record), previous_text)


# --- validation -------------------------------------------------------------------------------


def _is_instrument_file(name: str) -> bool:
    return name.endswith((".yaml", ".yml")) and name != QUESTIONS_FILE


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


# --- writing ----------------------------------------------------------------------------------


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); harmless where directories cannot be opened."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _prepare(folder: Path, name: str, text: str) -> str:
    """Write ``text`` to a temp file next to ``name`` and fsync it; returns the temp path."""
    target = folder / name
    tmp = tempfile.NamedTemporaryFile(dir=folder, prefix=f".{name}.", suffix=".tmp", delete=False)  # noqa: SIM115
    try:
        with tmp:
            tmp.write(text.encode("utf-8"))
            tmp.flush()
            os.fsync(tmp.fileno())
        try:
            mode = target.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o644  # NamedTemporaryFile makes 0600; other readers (git, web server) need to read it
        os.chmod(tmp.name, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp.name)
        raise
    return tmp.name


def _write_locked(bank: Path, changes: Mapping[str, str | None], author: str, message: str) -> None:
    """Apply ``changes`` (caller holds the bank lock and has validated). All temp files are written
    and synced before the first rename, so a failure while writing changes nothing at all."""
    effective: dict[str, str | None] = {}
    for name, text in changes.items():
        found = _read(bank / name)
        if (found is None and text is None) or (found is not None and text is not None and found[0] == text):
            continue  # no-op: no rewrite, no empty history entry
        effective[name] = text
    if not effective:
        return
    temps: dict[str, str] = {}
    try:
        for name, text in effective.items():
            if text is not None:
                temps[name] = _prepare(bank, name, text)
        for name, text in effective.items():
            if text is None:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(bank / name)
            else:
                os.replace(temps[name], bank / name)
                del temps[name]  # only once the rename happened: otherwise `finally` removes it
    finally:
        for tmp in temps.values():
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    _fsync_dir(bank)
    history.record(bank, effective, author, message)


def _check_who(author: str) -> None:
    if not author or not author.strip():
        raise ValueError("auteur ontbreekt / author is required")


def write_files(
    bank_path: str | os.PathLike[str],
    changes: Mapping[str, str | None],
    *,
    author: str,
    message: str,
    validate: bool = True,
) -> None:
    """Write several files as one recorded change (``None`` deletes a file).

    Used for option renames (questions file plus every instrument using the option), imports and
    restores. Validates the end state first (``validate=False`` only for non-databank files) and
    raises :class:`ValidationFailed` without writing anything.
    """
    bank = Path(bank_path)
    _check_who(author)
    for name in changes:
        _check_name(name)
    with bank_lock(bank):
        if validate:
            problems = validate_changes(bank, changes)
            if problems:
                raise ValidationFailed(problems)
        _write_locked(bank, changes, author, message)


def save_record(
    bank_path: str | os.PathLike[str],
    record: Mapping[str, Any],
    *,
    expected_digest: str | None,
    author: str,
    message: str,
    taxonomy: Taxonomy | None = None,
) -> str:
    """Validate, check for a conflicting save, write atomically and record history; returns the new digest.

    ``expected_digest`` is the digest from :func:`open_record` (``None`` = create a new record: the
    file must not exist yet). A record's id cannot change here: the file is always ``<id>.yaml``.
    """
    bank = Path(bank_path)
    _check_who(author)
    iid = record.get("id")
    valid_id = isinstance(iid, str) and bool(_SLUG_RE.match(iid.strip()))
    name = _record_file(bank, iid.strip()) if valid_id else "nieuw.yaml"
    with bank_lock(bank):
        found = _read(bank / name) if valid_id else None
        text = render_record(record, found[0] if found else None)
        pf = parse_instrument_text(name, text)
        problems = list(pf.problems)
        if pf.instrument is not None:
            tax = taxonomy if taxonomy is not None else load_taxonomy(bank)
            problems.extend(check_against_taxonomy(name, pf.instrument, pf.parsed, tax))
            id_line = pf.parsed.line_of(("id",)) if pf.parsed else None
            if expected_digest is None and found is not None:
                problems.append(Problem(name, id_line, "id", f"id '{iid}' bestaat al ({name}) / id already exists"))
            other = load_databank(bank).files.get(pf.instrument.id)
            if other and other != name:
                problems.append(Problem(name, id_line, "id", f"id '{iid}' komt al voor in {other} / duplicate id"))
        if problems:
            raise ValidationFailed(problems)
        if expected_digest is not None and (found is None or found[1] != expected_digest):
            raise Conflict(name, found[0] if found else "", text)
        _write_locked(bank, {name: text}, author, message)
        return digest(text)


def retire(
    bank_path: str | os.PathLike[str], instrument_id: str, *, expected_digest: str | None, author: str, message: str
) -> str:
    """Withdraw an instrument (``status: ingetrokken``) instead of deleting it: links and history stay."""
    opened = open_record(bank_path, instrument_id)
    try:
        data = parse_yaml(opened.text).data
    except YamlProblem as p:
        raise ValidationFailed([Problem(opened.file, p.line, p.field, p.message)]) from None
    if not isinstance(data, dict):
        raise ValidationFailed([Problem(opened.file, 1, None, "bestand moet velden bevatten / must be a mapping")])
    data["status"] = "ingetrokken"
    return save_record(bank_path, data, expected_digest=expected_digest, author=author, message=message)


def save_taxonomy(
    bank_path: str | os.PathLike[str],
    taxonomy_data: Mapping[str, Any] | Taxonomy,
    *,
    expected_digest: str | None,
    author: str,
    message: str,
) -> str:
    """Save the questions file; returns its new digest.

    Refuses (ValidationFailed) a schema error or removing an option that instruments still use,
    listing them; an option *rename* must go through :func:`write_files` together with the migrated
    instruments. ``expected_digest`` is the digest of the questions file when it was opened.
    """
    bank = Path(bank_path)
    _check_who(author)
    if isinstance(taxonomy_data, Taxonomy):
        taxonomy_data = taxonomy_data.model_dump(mode="python", exclude_none=True)
    data = _plain(taxonomy_data, drop_empty=False)
    with bank_lock(bank):
        found = _read(bank / QUESTIONS_FILE)
        text = render_document(data, found[0] if found else None)
        problems = validate_changes(bank, {QUESTIONS_FILE: text})
        if problems:
            raise ValidationFailed(problems)
        if (found is None) != (expected_digest is None) or (found is not None and found[1] != expected_digest):
            raise Conflict(QUESTIONS_FILE, found[0] if found else "", text)
        _write_locked(bank, {QUESTIONS_FILE: text}, author, message)
        return digest(text)
