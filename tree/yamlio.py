"""The one place that reads YAML.

Everything that parses databank files goes through :func:`parse_yaml`, so that safety (only
plain data, never Python objects), speed (libyaml's C loader where present) and error
positions (a line number for every key and list item) are decided once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # libyaml is ~6x faster; both loaders only build plain data.
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader

Loc = tuple[str | int, ...]


class YamlProblem(Exception):
    """A file that is not usable YAML; carries the line where the parser noticed it."""

    def __init__(self, message: str, line: int | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.field = field


@dataclass
class ParsedYaml:
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    duplicate_keys: list[tuple[Loc, int]] = field(default_factory=list)

    def line_of(self, loc: Loc) -> int | None:
        """The line of the deepest part of ``loc`` the file has (a missing key → its parent)."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return None


#: Limits for one databank file. A record is ~40 lines of plain data; these leave a wide margin
#: and stop a crafted file (an alias bomb, deep nesting, a 5,000-digit number) before it costs
#: time or memory, so one hostile file is one located problem, never a hung or crashed page.
MAX_FILE_BYTES = 512 * 1024
MAX_DEPTH = 24  # a record nests 3 deep (sources → item → title)
MAX_NODES = 20_000  # nodes visited, counting every alias expansion
MAX_INT_DIGITS = 18


def _walk(node: yaml.Node, loc: Loc, lines: dict[Loc, int], dups: list[tuple[Loc, int]], budget: list[int]) -> None:
    """Map every key and item to its line, checking the limits on the way.

    PyYAML's composer reuses one node object for an anchor and all its aliases; walking them
    expands the aliases, so ``budget`` counts every visit and stops a bomb at MAX_NODES.
    """
    budget[0] -= 1
    if budget[0] < 0:
        raise YamlProblem(
            f"bestand is te groot of bevat te veel verwijzingen (aliassen) / too many nodes or aliases (> {MAX_NODES})",
            line=node.start_mark.line + 1,
        )
    if len(loc) > MAX_DEPTH:
        raise YamlProblem(
            f"te diep genest / nested too deep (> {MAX_DEPTH})", line=node.start_mark.line + 1, field=_name(loc)
        )
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            child = (*loc, key)
            if key in seen:
                dups.append((child, key_node.start_mark.line + 1))
            seen.add(key)
            lines[child] = key_node.start_mark.line + 1
            _walk(key_node, child, {}, [], budget)
            _walk(value_node, child, lines, dups, budget)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*loc, index)
            lines[child] = item.start_mark.line + 1
            _walk(item, child, lines, dups, budget)
    elif node.tag == "tag:yaml.org,2002:int" and len(node.value.lstrip("+-0").replace("_", "")) > MAX_INT_DIGITS:
        raise YamlProblem(
            f"getal is te groot / number too large (> {MAX_INT_DIGITS} digits)",
            line=node.start_mark.line + 1,
            field=_name(loc),
        )


def _name(loc: Loc) -> str | None:
    return ".".join(str(p) for p in loc) or None


def parse_yaml(text: str) -> ParsedYaml:
    """Parse one YAML document into plain data plus a line map.

    Raises :class:`YamlProblem` for syntax errors and for tags that would construct Python
    objects (``!!python/object`` and friends): the safe constructor refuses them before
    anything runs.
    """
    if len(text) > MAX_FILE_BYTES:
        raise YamlProblem(f"bestand is te groot / file too large (> {MAX_FILE_BYTES // 1024} kB)")
    loader = _BaseLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return ParsedYaml(data=None)
        # limits first: the line map walks (and counts) every node before anything is built
        lines: dict[Loc, int] = {(): node.start_mark.line + 1}
        dups: list[tuple[Loc, int]] = []
        _walk(node, (), lines, dups, [MAX_NODES])
        data = loader.construct_document(node)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark or exc.context_mark
        tag = ""
        if exc.problem and "tag" in exc.problem:
            tag = exc.problem.split("tag", 1)[1].strip(" '")
        raise YamlProblem(
            f"YAML-tag {tag or ''} is niet toegestaan: alleen gewone gegevens (tekst, getallen, "
            "lijsten) / YAML tags that build objects are not allowed".replace("  ", " "),
            line=mark.line + 1 if mark else None,
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or str(exc)
        raise YamlProblem(f"YAML-syntaxfout / syntax error: {what}", line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:  # pragma: no cover - other reader errors
        raise YamlProblem(f"YAML-fout / YAML error: {exc}") from None
    except RecursionError:  # the composer itself recursing on a deeply nested file
        raise YamlProblem(f"te diep genest / nested too deep (> {MAX_DEPTH})") from None
    except (ValueError, OverflowError) as exc:  # e.g. a number the constructor cannot build
        raise YamlProblem(f"ongeldige waarde / invalid value: {str(exc)[:80]}") from None
    finally:
        loader.dispose()
    return ParsedYaml(data=data, lines=lines, duplicate_keys=dups)


def load_plain(text: str) -> Any:
    """Parse YAML without line bookkeeping (for small config-like files)."""
    return parse_yaml(text).data


def dump(data: Any) -> str:
    """Write plain data as block-style YAML in the key order given (diff-friendly)."""
    return yaml.dump(
        data,
        Dumper=yaml.SafeDumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
