"""A REFI-QDA file qualcode would write over: replaced only when qualcode wrote it.

A ``.qdpx`` or ``.qdc`` from NVivo, ATLAS.ti, MAXQDA … holds what qualcode does not read
(memos, sets, PDF and media sources, links): ``export-refi -o project.qdpx`` over the
project a study was imported from replaced it with qualcode's view of it, silently. The
``origin`` attribute every REFI-QDA file carries says which program wrote it.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import OutputError, QualcodeError


def origin(path: Path) -> str | None:
    """The ``origin`` of a REFI-QDA project or codebook file; None when it has none or cannot
    be read as one."""
    from ..archive import Limits, SafeZip
    from .schema import parse_xml

    try:
        if path.suffix.lower() == ".qdc":
            return parse_xml(path.read_bytes(), str(path)).get("origin")
        with SafeZip(path, Limits(), error=OutputError) as archive:
            member = archive.find("project.qde")
            return parse_xml(archive.read(member), str(path)).get("origin") if member else None
    except (QualcodeError, OSError, ValueError):
        return None


def check_replaceable(path: str | Path) -> None:
    """Refuse to write over a REFI-QDA file that another program (or nothing readable) wrote.

    Raises
    ------
    OutputError
        ``path`` exists and its ``origin`` is not qualcode.
    """
    path = Path(path)
    if not path.exists():
        return
    found = origin(path) if path.is_file() else None
    if found is not None and found.startswith("qualcode"):
        return
    wrote = f"was written by {found}" if found else "is not a file qualcode wrote"
    raise OutputError(
        f"{path}: exists and {wrote}; qualcode does not replace another program's project (memos, sets and "
        "sources it does not read would be lost): write to another name"
    )
