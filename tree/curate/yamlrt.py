"""The one YAML round trip: how curator saves turn data into the text of a databank file.

A curator edits a file that may carry comments, a hand-chosen key order and folded texts; a save
must keep all of that and change only what the curator changed (ruamel's round trip), and the
result must read back exactly as intended with both PyYAML loaders. Record saves, taxonomy edits,
option migrations, imports and the databank merge all render through here.

It is one module of about 450 lines on purpose: merging new data into an existing node tree
(keys, sequences by id, comments and blank lines that ruamel hangs on neighbouring nodes) is one
algorithm whose helpers only make sense together.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from collections.abc import Mapping
from typing import Any

import yaml
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

from ..schema import SLUG_PATTERN, WRITTEN_DEFAULTS, Instrument, Source
from ..yamlio import YamlProblem, parse_yaml

__all__ = ["FOLD_WIDTH", "normalize_record", "render_document", "render_record", "round_trip_yaml"]

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
    data = {k: v for k, v in data.items() if k not in WRITTEN_DEFAULTS or v != WRITTEN_DEFAULTS[k]}
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


def round_trip_yaml(indent: tuple[int, int, int] = _DEFAULT_INDENT) -> YAML:
    """The one ruamel set-up: round trip (comments, key order, quotes kept), never re-wrapping lines."""
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
            y = round_trip_yaml((_DEFAULT_INDENT[0], seq, off))
            node = y.load(previous_text)
            if isinstance(node, CommentedMap):
                old = parse_yaml(previous_text).data
                _merge(node, old, data)
                attempts.append(_dump(y, node))
    with contextlib.suppress(YAMLError, ValueError, TypeError):
        attempts.append(_dump(round_trip_yaml(_DEFAULT_INDENT), _to_node(data)))
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


