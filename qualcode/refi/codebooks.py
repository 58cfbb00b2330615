"""Codebooks of REFI-QDA files: a codebook file (``.qdc``, what NVivo, ATLAS.ti and MAXQDA
export as a codebook) and the codebook of a project (``.qdpx``), read without its sources, so
that either can be given as a run's codebook (``-c codebook.qdc``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..archive import Limits, SafeZip
from ..codebook import Codebook
from ..errors import InputFileError, RefiError
from .codes import codebook_from_codes
from .schema import child, child_text, children, local, parse_xml, unpack_description

MAX_QDC_BYTES = 256 * 1024**2


def project_codebook(root: Any, path: Path) -> tuple[Codebook | None, dict[str, str]]:
    """The codebook of a project's ``<Project>`` element ``root`` (None when it holds no code)
    and the code id of each code's GUID."""
    _, project_data = unpack_description(child_text(root, "Description"))
    meta = (project_data or {}).get("codebook") or {}
    holder = child(root, "CodeBook")
    holder = child(holder, "Codes") if holder is not None else None
    elements = children(holder, "Code") if holder is not None else []
    if not elements:
        return None, {}
    return codebook_from_codes(
        elements,
        name=str(meta.get("name") or root.get("name") or path.stem),
        version=str(meta.get("version") or "1"),
        description=str(meta.get("description") or ""),
        source=f"{path}:project.qde",
    )


def project_root(archive: SafeZip, path: Path) -> Any:
    """The ``<Project>`` element of an opened ``.qdpx``'s ``project.qde`` (or its one ``.qde``)."""
    member = archive.find("project.qde") or next((n for n in archive.names if n.lower().endswith(".qde")), None)
    if member is None:
        raise RefiError(f"{path}: no project.qde inside; this is not a REFI-QDA project (.qdpx) file")
    root = parse_xml(archive.read(member), f"{path}:{member}")
    if local(root) != "Project":
        raise RefiError(f"{path}:{member}: the root element is <{local(root)}>, not <Project>; not a REFI-QDA project")
    return root


def read_qdc(path: str | Path) -> Codebook:
    """Read a REFI-QDA codebook (``.qdc``) as a validated :class:`~qualcode.Codebook`.

    Codes written by qualcode come back exactly; codes from other programs get ids made from
    their names (:func:`qualcode.refi.codes.slug`). The codebook is named after the file.

    Raises
    ------
    RefiError
        Not a REFI-QDA codebook, malformed XML, or XML with a DTD or entities.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: no such file; check the path")
    if path.stat().st_size > MAX_QDC_BYTES:
        raise RefiError(f"{path}: larger than 256 MB; this is not a codebook")
    root = parse_xml(path.read_bytes(), str(path))
    if local(root) != "CodeBook":
        raise RefiError(f"{path}: the root element is <{local(root)}>, not <CodeBook>; not a REFI-QDA codebook (.qdc)")
    holder = child(root, "Codes")
    elements = children(holder, "Code") if holder is not None else []
    if not elements:
        raise RefiError(f"{path}: holds no codes; nothing to import")
    codebook, _ = codebook_from_codes(elements, name=path.stem, source=str(path))
    return codebook


def read_qdpx_codebook(path: str | Path, limits: Limits | None = None) -> Codebook:
    """The codebook of a REFI-QDA project (``.qdpx``), its sources left unread; opened as
    :func:`~qualcode.refi.read_qdpx` opens the project (untrusted: :mod:`qualcode.archive`).

    Raises
    ------
    RefiError
        Not a REFI-QDA project, damaged, unsafe to open, or a project without codes.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: no such file; check the path")
    with SafeZip(path, limits) as archive:
        root = project_root(archive, path)
    codebook, _ = project_codebook(root, path)
    if codebook is None:
        raise RefiError(f"{path}: the project holds no codes, so no codebook; give the codebook with -c")
    return codebook
