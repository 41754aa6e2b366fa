"""Reading the databank folder: every valid instrument, plus a list of problems.

One broken file never stops the others: each file is parsed and checked on its own, and the
problems say which file, which line, which field and what is wrong. Parsing is cached per file
by (inode, size, mtime) so an unchanged databank costs a directory listing, not a re-parse.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from .safe_files import UnsafeFile, read_inside
from .schema import BRANCHES, CONTROL_MESSAGE, TEXT_PATTERN, Instrument, Taxonomy
from .yamlio import MAX_FILE_BYTES, ParsedYaml, YamlProblem, parse_yaml

if TYPE_CHECKING:
    import networkx as nx

    from .index import Index

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "instruments"
QUESTIONS_FILE = "_questions.yaml"


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line or ''}: {self.field or '-'}: {self.message}"


@dataclass
class Databank:
    path: Path
    taxonomy: Taxonomy
    instruments: dict[str, Instrument]
    problems: list[Problem]
    version: str
    files: dict[str, str] = field(default_factory=dict)  # instrument id -> file name

    @property
    def active(self) -> list[Instrument]:
        return [i for i in self.instruments.values() if i.active]

    @cached_property
    def graph(self) -> nx.DiGraph:
        from .graph import build_graph

        return build_graph(self.taxonomy, self.active)

    @cached_property
    def index(self) -> Index:
        from .index import Index

        return Index.from_graph(self.graph, self.taxonomy)

    def problems_for(self, file_name: str) -> list[Problem]:
        return [p for p in self.problems if p.file == file_name]


class DatabankError(Exception):
    """The databank cannot be used at all (no folder, or the questions file is broken)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


# --- messages ----------------------------------------------------------------------------

_PYDANTIC_NL = {
    "missing": "verplicht veld ontbreekt / required field is missing",
    "extra_forbidden": "onbekend veld / unknown field",
    "int_type": "moet een geheel getal zijn / must be a whole number",
    "bool_type": "moet true of false zijn / must be true or false",
    "string_type": "moet tekst zijn / must be text",
    "list_type": "moet een lijst zijn / must be a list",
    "dict_type": "moet een mapping (veld: waarde) zijn / must be a mapping",
    "model_type": "moet een mapping (veld: waarde) zijn / must be a mapping",
    "date_type": "moet een datum JJJJ-MM-DD zijn / must be a date YYYY-MM-DD",
    "too_short": "mag niet leeg zijn / must not be empty",
    "string_too_short": "mag niet leeg zijn / must not be empty",
    "string_too_long": "is te lang / is too long",
    "greater_than_equal": "is te klein / is too small",
    "less_than_equal": "is te groot / is too large",
}


def _pydantic_message(err: dict[str, Any]) -> str:
    kind = err["type"]
    if kind == "string_too_long":
        n = err["ctx"]["max_length"]
        return f"is te lang (hoogstens {n} tekens) / too long (at most {n} characters)"
    if kind == "literal_error":
        return f"moet een van deze waarden zijn / must be one of: {err['ctx']['expected']}"
    if kind == "string_pattern_mismatch":
        pattern = err["ctx"]["pattern"]
        if "http" in pattern:
            return (
                "moet een webadres zijn dat met http:// of https:// begint, zonder spaties of < > \" "
                "/ must be an http(s) URL without spaces or < > \""
            )
        if pattern == TEXT_PATTERN:
            return CONTROL_MESSAGE
        if pattern == r"^[a-z]{2}$":
            return "een taalcode van twee letters, zoals nl of en / a two-letter language code such as nl or en"
        return "alleen kleine letters, cijfers en streepjes / only lowercase letters, digits and hyphens"
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    return _PYDANTIC_NL.get(kind, err["msg"])


def _loc_name(loc: tuple) -> str:
    return ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in loc).replace(".[", "[")


def validation_problems(file_name: str, err: ValidationError, parsed: ParsedYaml | None) -> list[Problem]:
    out = []
    for e in err.errors():
        loc = tuple(e["loc"])
        line = parsed.line_of(loc) if parsed else None
        out.append(Problem(file_name, line, _loc_name(loc) or None, _pydantic_message(e)))
    return out


# --- per-file parsing (cached) --------------------------------------------------------------


@dataclass
class _ParsedFile:
    digest: str
    instrument: Instrument | None
    parsed: ParsedYaml | None
    problems: list[Problem]


_cache_lock = threading.Lock()
_file_cache: dict[str, tuple[tuple[int, int, int], _ParsedFile]] = {}
_bank_cache: dict[str, tuple[tuple, Databank]] = {}


def _read_text(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")  # a BOM (Windows editors add one) is not part of the text
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlProblem(
            f"bestand is geen geldige UTF-8 (byte {exc.start}); sla het op als UTF-8 / file is not valid UTF-8",
            line=line,
        ) from None


def parse_instrument_text(file_name: str, text: str) -> _ParsedFile:
    """Parse and schema-check one instrument file's text (no cross-file checks)."""
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
    try:
        parsed = parse_yaml(text)
    except YamlProblem as p:
        return _ParsedFile(digest, None, None, [Problem(file_name, p.line, p.field, p.message)])
    problems = [
        Problem(file_name, line, _loc_name(loc), "veld staat er twee keer in / duplicate key")
        for loc, line in parsed.duplicate_keys
    ]
    data = parsed.data
    if data is None:
        return _ParsedFile(digest, None, parsed, [Problem(file_name, 1, None, "bestand is leeg / file is empty")])
    if not isinstance(data, dict):
        return _ParsedFile(
            digest,
            None,
            parsed,
            [Problem(file_name, 1, None, "bestand moet velden bevatten (veld: waarde) / must be a mapping")],
        )
    try:
        instrument = Instrument.model_validate(data)
    except ValidationError as err:
        return _ParsedFile(digest, None, parsed, problems + validation_problems(file_name, err, parsed))
    return _ParsedFile(digest, instrument, parsed, problems)


def _parse_file(path: Path, sig: tuple[int, int, int]) -> _ParsedFile:
    key = str(path)
    with _cache_lock:
        hit = _file_cache.get(key)
    if hit and hit[0] == sig:
        return hit[1]
    try:
        raw = read_inside(path.parent, path.name, MAX_FILE_BYTES)
    except UnsafeFile as exc:
        result = _ParsedFile("-", None, None, [Problem(path.name, None, None, str(exc))])
        with _cache_lock:
            _file_cache[key] = (sig, result)
        return result
    try:
        text = _read_text(path, raw)
    except YamlProblem as p:
        result = _ParsedFile(hashlib.sha1(raw).hexdigest(), None, None, [Problem(path.name, p.line, None, p.message)])
    else:
        if not text.strip():
            result = _ParsedFile(
                hashlib.sha1(raw).hexdigest(),
                None,
                None,
                [Problem(path.name, 1, None, "bestand is leeg / file is empty")],
            )
        else:
            result = parse_instrument_text(path.name, text)
    with _cache_lock:
        _file_cache[key] = (sig, result)
    return result


def load_taxonomy(path: Path) -> Taxonomy:
    return _load_taxonomy(path)[0]


def _load_taxonomy(path: Path) -> tuple[Taxonomy, str]:
    qfile = path / QUESTIONS_FILE
    name = QUESTIONS_FILE
    if not qfile.exists() and not qfile.is_symlink():
        raise DatabankError([Problem(name, None, None, f"vragenbestand ontbreekt in {path} / questions file missing")])
    try:
        raw = read_inside(path, name, MAX_FILE_BYTES)
    except UnsafeFile as exc:
        raise DatabankError([Problem(name, None, None, str(exc))]) from None
    try:
        text = _read_text(qfile, raw)
        parsed = parse_yaml(text)
    except YamlProblem as p:
        raise DatabankError([Problem(name, p.line, p.field, p.message)]) from None
    try:
        return Taxonomy.model_validate(parsed.data), hashlib.sha1(raw).hexdigest()
    except ValidationError as err:
        raise DatabankError(validation_problems(name, err, parsed)) from None


# --- cross-file checks ----------------------------------------------------------------------


def check_against_taxonomy(
    file_name: str, inst: Instrument, parsed: ParsedYaml | None, taxonomy: Taxonomy
) -> list[Problem]:
    """Option ids must exist in the questions file; the file name must equal the id."""
    problems = []
    line = parsed.line_of if parsed else (lambda loc: None)
    stem = file_name.rsplit(".", 1)[0]
    if stem != inst.id:
        problems.append(
            Problem(
                file_name,
                line(("id",)),
                "id",
                f"id '{inst.id}' moet gelijk zijn aan de bestandsnaam '{stem}' / id must equal file name",
            )
        )
    for qid in BRANCHES:
        known = set(taxonomy.option_ids(qid))
        for n, oid in enumerate(inst.options(qid)):
            if oid not in known:
                renamed = taxonomy.current_id(qid, oid)
                message = (
                    f"optie '{oid}' heet nu '{renamed}' / option was renamed to '{renamed}'"
                    if renamed
                    else f"onbekende optie '{oid}'; kies uit / unknown option, choose from: {', '.join(sorted(known))}"
                )
                problems.append(Problem(file_name, line((qid, n)), qid, message))
    return problems


def _signature(path: Path) -> tuple[tuple[str, int, int, int], ...]:
    """(name, inode, size, mtime) of every YAML file: the cache key of the whole databank.

    This runs on every Streamlit rerun, so it stays on plain strings and ``os.scandir`` (no
    ``Path`` objects): about 3 ms per 1,000 files.
    """
    entries = []
    with os.scandir(path) as it:
        for e in it:
            if not e.name.endswith((".yaml", ".yml")):
                continue
            try:
                if not (e.is_symlink() or e.is_file()):
                    continue
                st = e.stat()
            except OSError:  # a dangling link or a loop: listed, so the loader can name it
                st = e.stat(follow_symlinks=False)
            entries.append((e.name, st.st_ino, st.st_size, st.st_mtime_ns))
    entries.sort()
    return tuple(entries)


def load_databank(path: str | os.PathLike[str] | None = None) -> Databank:
    """Load every instrument in ``path`` (default: the shipped ``instruments/`` folder).

    Returns a :class:`Databank` holding the valid instruments and the problems found. Raises
    :class:`DatabankError` only when nothing can be used: no folder or a broken questions file.
    """
    folder = Path(path) if path is not None else DEFAULT_PATH
    if not folder.is_dir():
        raise DatabankError([Problem(str(folder), None, None, "map bestaat niet / folder does not exist")])
    sig = _signature(folder)
    key = str(folder.resolve())
    with _cache_lock:
        hit = _bank_cache.get(key)
    if hit and hit[0] == sig:
        return hit[1]

    taxonomy, qdigest = _load_taxonomy(folder)
    instruments: dict[str, Instrument] = {}
    files: dict[str, str] = {}
    problems: list[Problem] = []
    digests = []
    for name, ino, size, mtime in sig:
        if name.startswith("_"):  # databank-level files (_questions.yaml, _coverage.yaml), not instruments
            continue
        file_path = folder / name
        pf = _parse_file(file_path, (ino, size, mtime))
        digests.append(f"{file_path.name}:{pf.digest}")
        problems.extend(pf.problems)
        inst = pf.instrument
        if inst is None:
            continue
        cross = check_against_taxonomy(file_path.name, inst, pf.parsed, taxonomy)
        if inst.id in instruments:
            cross.append(
                Problem(
                    file_path.name,
                    pf.parsed.line_of(("id",)) if pf.parsed else None,
                    "id",
                    f"id '{inst.id}' komt al voor in {files[inst.id]} / duplicate id",
                )
            )
        problems.extend(cross)
        if not cross:
            instruments[inst.id] = inst
            files[inst.id] = file_path.name
    # related ids are a soft link: a dangling one is reported, the record stays usable.
    for iid, inst in instruments.items():
        for n, rel in enumerate(inst.related or []):
            if rel not in instruments:
                parsed = _file_cache.get(str(folder / files[iid]), (None, None))[1]
                line = parsed.parsed.line_of(("related", n)) if parsed and parsed.parsed else None
                problems.append(
                    Problem(files[iid], line, "related", f"onbekend instrument '{rel}' / unknown instrument")
                )
    version = hashlib.sha1("|".join([qdigest, *digests]).encode()).hexdigest()[:10]
    bank = Databank(folder, taxonomy, instruments, problems, version, files)
    with _cache_lock:
        _bank_cache[key] = (sig, bank)
    return bank


def clear_cache() -> None:
    """Forget everything parsed (tests and the benchmark's cold runs)."""
    with _cache_lock:
        _file_cache.clear()
        _bank_cache.clear()
