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


def _walk(node: yaml.Node, loc: Loc, lines: dict[Loc, int], dups: list[tuple[Loc, int]]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            child = (*loc, key)
            if key in seen:
                dups.append((child, key_node.start_mark.line + 1))
            seen.add(key)
            lines[child] = key_node.start_mark.line + 1
            _walk(value_node, child, lines, dups)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*loc, index)
            lines[child] = item.start_mark.line + 1
            _walk(item, child, lines, dups)


def parse_yaml(text: str) -> ParsedYaml:
    """Parse one YAML document into plain data plus a line map.

    Raises :class:`YamlProblem` for syntax errors and for tags that would construct Python
    objects (``!!python/object`` and friends): the safe constructor refuses them before
    anything runs.
    """
    loader = _BaseLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return ParsedYaml(data=None)
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
    finally:
        loader.dispose()
    lines: dict[Loc, int] = {(): node.start_mark.line + 1}
    dups: list[tuple[Loc, int]] = []
    _walk(node, (), lines, dups)
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
