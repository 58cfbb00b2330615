"""Codebooks ↔ REFI-QDA ``<Codes>``: qualcode's codes as ``Code`` elements and back.

Writing: a code becomes ``<Code name=LABEL color=… isCodable="true">`` with its description;
its id, keywords, patterns, exclusions, examples, criteria and threshold follow in the
description's ``--- qualcode ---`` block, so that importing qualcode's own file restores the
codebook exactly. Codes without a colour get one from a fixed palette, per top-level code.

Reading a file from another program: the id is made from the code's name (ASCII, lower case,
``_`` between words, ``code_`` before a leading digit; ``_2``, ``_3`` … when taken), the label is
the name, the description its ``Description``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from xml.etree.ElementTree import Element

from ..codebook import _COLOR_RE, _ID_RE, Code, Codebook, parse_codebook
from ..errors import RefiError
from .schema import child_text, children, guid, pack_description, unpack_description, xml_text

# Tableau 10: distinct, colour-blind-aware hues for top-level codes without a colour
PALETTE = ("#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC")
EXTRA_FIELDS = (
    "keywords",
    "patterns",
    "exclude",
    "examples",
    "include_when",
    "exclude_when",
    "threshold",
    "suggest",
    "applies_to",
    "not_applies_to",
)
_HEX3 = re.compile(r"^#([0-9A-Fa-f])([0-9A-Fa-f])([0-9A-Fa-f])$")


def code_guid(code_id: str) -> str:
    return guid("code", code_id)


def code_elements(codebook: Codebook, parent: Any, make: Any) -> None:
    """Append one ``Code`` element per code (nested) to ``parent``; ``make(parent, tag, **attrs)``
    creates an element."""

    def add(node: Any, code: Code, auto_color: str) -> None:
        color = code.color or auto_color
        element = make(node, "Code", guid=code_guid(code.id), name=xml_text(code.label), isCodable="true", color=color)
        extras: dict[str, Any] = {"id": code.id}
        values = code.model_dump(exclude_defaults=True, mode="json")
        extras.update({key: values[key] for key in EXTRA_FIELDS if key in values})
        if code.color is None:
            extras["auto_color"] = auto_color
        make(element, "Description").text = xml_text(pack_description(code.description, extras))
        for sub in code.children:
            add(element, sub, auto_color)

    for index, code in enumerate(codebook.codes):
        add(parent, code, PALETTE[index % len(PALETTE)])


def slug(name: str) -> str:
    """A snake_case id made from a code name: ``"1. Oltás típusa"`` → ``code_1_oltas_tipusa``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")
    if not text:
        return "code"
    return text if text[0].isalpha() else f"code_{text}"


def _color(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    short = _HEX3.match(value)
    if short:
        value = "#" + "".join(part * 2 for part in short.groups())
    return value.upper() if _COLOR_RE.match(value) else None


MAX_DEPTH = 64  # code nesting deeper than this is refused (no codebook of a real study comes close)


def _unique(wanted: str, taken: set[str], counters: dict[str, int] | None = None) -> str:
    """``wanted``, or ``wanted_2``, ``wanted_3``… if taken; ``counters`` remembers where each
    name's numbering stopped, so 20,000 codes of one name take linear, not quadratic, time."""
    n = counters.get(wanted, 1) if counters is not None else 1
    candidate = wanted if n == 1 else f"{wanted}_{n}"
    while candidate in taken:
        n += 1
        candidate = f"{wanted}_{n}"
    if counters is not None:
        counters[wanted] = n
    taken.add(candidate)
    return candidate


def codes_from_elements(
    elements: list[Element], ids_by_guid: dict[str, str], source: str = "project"
) -> list[dict[str, Any]]:
    """Plain code dicts (for :func:`~qualcode.codebook.parse_codebook`) from ``Code`` elements;
    fills ``ids_by_guid`` with each code's GUID → id."""
    taken: set[str] = set()
    counters: dict[str, int] = {}

    def convert(element: Element, depth: int = 1) -> dict[str, Any]:
        if depth > MAX_DEPTH:
            raise RefiError(
                f"{source}: codes nested more than {MAX_DEPTH} levels deep: a damaged or hostile project; "
                "export it again from the program that made it"
            )
        name = element.get("name") or ""
        text, data = unpack_description(child_text(element, "Description"))
        data = data or {}
        wanted = data.get("id")
        if not (isinstance(wanted, str) and _ID_RE.match(wanted) and wanted not in taken):
            wanted = None
        code_id = _unique(wanted or slug(name.strip() or element.get("guid", "code")), taken, counters)
        color = _color(element.get("color"))
        if color is not None and color == _color(str(data.get("auto_color") or "")):
            color = None
        fields: dict[str, Any] = {"id": code_id, "label": name or code_id, "description": text}
        if color is not None:
            fields["color"] = color
        fields.update({key: data[key] for key in EXTRA_FIELDS if key in data})
        guid_value = (element.get("guid") or "").strip("{}").lower()
        if guid_value:
            ids_by_guid[guid_value] = code_id
        fields["children"] = [convert(sub, depth + 1) for sub in children(element, "Code")]
        return fields

    return [convert(element) for element in elements]


def codebook_from_codes(
    elements: list[Element], *, name: str, version: str = "1", description: str = "", source: str
) -> tuple[Codebook, dict[str, str]]:
    """A validated :class:`Codebook` and the GUID → code id map from ``Code`` elements.

    Raises
    ------
    CodebookError
        The codes break the codebook schema (e.g. a hand-edited ``--- qualcode ---`` block).
    """
    ids_by_guid: dict[str, str] = {}
    data = {
        "name": name or "Imported codebook",
        "version": version,
        "description": description,
        "codes": codes_from_elements(elements, ids_by_guid, source),
    }
    return parse_codebook(data, source=source), ids_by_guid
