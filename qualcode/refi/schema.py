"""What qualcode's REFI-QDA reader and writer share: namespaces, GUIDs, safe XML parsing,
schema validation, and the ``--- qualcode ---`` block in descriptions.

REFI-QDA has no place for a code's keywords or a suggestion's score. qualcode writes them
into the element's ``Description`` after a line ``--- qualcode ---`` as YAML, below any text
meant for people, so that another program shows them as part of the description and
qualcode reads them back exactly.
"""

from __future__ import annotations

import re
import uuid
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import yaml

from ..errors import RefiError

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

# uuid5 namespace of every GUID qualcode writes: the same input gives the same GUIDs
GUID_NAMESPACE = uuid.UUID("8f0c6f55-2f4e-5c55-9d1e-7a1c0f2b3a61")
MARKER = "--- qualcode ---"
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def guid(kind: str, *parts: object) -> str:
    """A deterministic GUID for one object: ``guid("code", "personnel")``."""
    return str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join([kind, *map(str, parts)])))


def xml_text(value: str) -> str:
    """``value`` with characters XML 1.0 cannot hold (control characters) replaced by U+FFFD."""
    return _INVALID_XML.sub("\ufffd", value)


def pack_description(text: str, data: dict[str, Any]) -> str:
    """Text for people, then the ``--- qualcode ---`` YAML block (left out when ``data`` is empty)."""
    if not data:
        return text
    block = yaml.safe_dump(data, sort_keys=True, allow_unicode=True, width=10_000)
    return f"{text}\n\n{MARKER}\n{block}" if text else f"{MARKER}\n{block}"


def unpack_description(description: str) -> tuple[str, dict[str, Any] | None]:
    """Split a description into its text for people and qualcode's block (None when absent or
    unreadable, e.g. edited by hand in another program)."""
    if description.startswith(MARKER + "\n"):
        text, block = "", description[len(MARKER) + 1 :]
    elif f"\n\n{MARKER}\n" in description:
        text, block = description.rsplit(f"\n\n{MARKER}\n", 1)
    else:
        return description, None
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError:
        return description, None
    return (text, data) if isinstance(data, dict) else (description, None)


def local(element: Element) -> str:
    """An element's tag without its namespace."""
    return element.tag.rsplit("}", 1)[-1]


def children(element: Element, name: str) -> list[Element]:
    """Direct children called ``name`` (in any namespace: some programs write none)."""
    return [child for child in element if local(child) == name]


def child(element: Element, name: str) -> Element | None:
    found = children(element, name)
    return found[0] if found else None


def child_text(element: Element, name: str) -> str:
    found = child(element, name)
    return (found.text or "") if found is not None else ""


def parse_xml(data: bytes, where: str) -> Element:
    """Parse XML from a stranger with defusedxml: no DTD, so no entity expansion bombs and no
    external entities.

    Raises
    ------
    RefiError
        The XML is malformed or declares a DTD or entities.
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise RefiError(
            f"{where}: refused: the XML declares a DTD or entities ({type(exc).__name__}), which REFI-QDA never "
            "needs and which can attack the reader; export the project again"
        ) from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise RefiError(
            f"{where}:{line}:{column}: not well-formed XML ({exc}); the file is damaged, export it again"
        ) from None


def schema_path() -> Path:
    """The REFI-QDA 1.0 project schema (``Project.xsd``, MIT licence) shipped with qualcode."""
    return Path(str(resources.files("qualcode") / "data" / "refi" / "Project.xsd"))


def schema_errors(project_xml: bytes, xsd: str | Path | None = None) -> list[str]:
    """Problems of a ``project.qde`` against the REFI-QDA project schema (empty when valid)."""
    from lxml import etree

    schema = _schema(str(xsd or schema_path()))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    document = etree.fromstring(project_xml, parser)
    if schema.validate(document):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


@lru_cache(maxsize=4)
def _schema(path: str) -> Any:
    """A parsed XSD, read once per process (every export validates against it)."""
    from lxml import etree

    return etree.XMLSchema(etree.parse(path))
