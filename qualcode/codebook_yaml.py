"""Reading a codebook's YAML: bounds for an untrusted file (size, anchors and aliases,
depth), a key given twice in one mapping refused (YAML keeps the last silently, so a
code's first ``keywords:`` list would be lost), and each location's line for the
validation messages of :func:`qualcode.codebook.parse_codebook`."""

from __future__ import annotations

from typing import Any

import yaml

from .codebook import Codebook, parse_codebook
from .codebook_checks import loc_text
from .errors import CodebookError

MAX_YAML_CHARS = 5_000_000
MAX_YAML_DEPTH = 60


def _check_yaml(text: str, source: str) -> None:
    """Bounds for an untrusted codebook: its size, no anchors or aliases (an alias bomb of a
    few hundred bytes expands exponentially), and a nesting depth a codebook never needs."""
    if len(text) > MAX_YAML_CHARS:
        raise CodebookError(f"{source}: {len(text):,} characters, over the {MAX_YAML_CHARS:,} a codebook may hold")
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1 if event.start_mark is not None else 0
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise CodebookError(
                f"{source}:{line}: YAML anchors and aliases (&name, *name) are not allowed in a codebook; "
                "write the values out"
            )
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise CodebookError(
                    f"{source}:{line}: nested more than {MAX_YAML_DEPTH} levels deep; a codebook never needs that"
                )
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1


def _scalar_text(node: yaml.Node | None, key: str) -> str | None:
    """The text of a top-level scalar as written (``version: 1.10`` stays "1.10")."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key and isinstance(value_node, yaml.ScalarNode):
                return str(value_node.value)
    return None


def _duplicate_key(node: yaml.Node | None, path: tuple[Any, ...] = ()) -> tuple[tuple[Any, ...], int, int] | None:
    """The first key given twice in one mapping: its location, its first line and the line
    that repeats it."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key, line = key_node.value, key_node.start_mark.line + 1
            if key in seen:
                return (*path, key), seen[key], line
            seen[key] = line
            found = _duplicate_key(value_node, (*path, key))
            if found:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            found = _duplicate_key(item, (*path, i))
            if found:
                return found
    return None


def codebook_from_yaml(text: str, *, source: str = "<string>") -> Codebook:
    """Parse and validate a codebook from YAML text (see :func:`qualcode.load_codebook`)."""
    try:
        _check_yaml(text, source)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        twice = _duplicate_key(node)
        if twice:
            place, first_line, again = twice
            raise CodebookError(
                f"{source}:{again}: {loc_text(place)}: given twice in one place (first at line {first_line}); YAML would "
                "keep only the last, so merge them into one"
            )
        data = yaml.safe_load(text)
        version = _scalar_text(node, "version")
        if isinstance(data, dict) and version is not None and isinstance(data.get("version"), int | float):
            data["version"] = version
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = exc.problem or exc.context or "invalid YAML"
        raise CodebookError(f"{where}: invalid YAML: {problem}; fix the syntax at that line") from None
    except yaml.YAMLError as exc:
        # e.g. a reader error (a control character): one line, with its place in the text
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid YAML"
        position = getattr(exc, "position", None)
        if isinstance(position, int):
            line = text.count("\n", 0, position) + 1
            column = position - (text.rfind("\n", 0, position) + 1) + 1
            source = f"{source}:{line}:{column}"
        raise CodebookError(f"{source}: invalid YAML: {first}; remove or replace that character") from None
    return parse_codebook(data, source=source, lines=_line_index(node) if node is not None else {})


def _line_index(node: yaml.Node, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int]:
    """Map each location in a composed YAML tree to its 1-based line number."""
    lines: dict[tuple[Any, ...], int] = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines.update(_line_index(value_node, (*path, key)))
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines.update(_line_index(item, (*path, i)))
    return lines
