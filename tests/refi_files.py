"""Small REFI-QDA files built in tests: quirky ones from "other programs" and hostile ones."""

from __future__ import annotations

import zipfile
from pathlib import Path

NS = "urn:QDA-XML:project:1.0"


def qde(body: str, *, origin: str = "Test QDA 1.0", head: str = "") -> bytes:
    """A project.qde around ``body`` (the elements inside <Project>)."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{head}'
        f'<Project xmlns="{NS}" name="test" origin="{origin}">{body}</Project>'
    ).encode()


def write_qdpx(path: Path, project: bytes, files: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", project)
        for name, data in (files or {}).items():
            archive.writestr(name, data)
    return path


CODES = (
    '<CodeBook><Codes><Code guid="11111111-1111-1111-1111-111111111111" name="Care" isCodable="true">'
    '<Code guid="22222222-2222-2222-2222-222222222222" name="Hiring staff" isCodable="true"/></Code>'
    "</Codes></CodeBook>"
)
CARE, HIRING = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
SOURCE = "33333333-3333-3333-3333-333333333333"


def selection(start: int, end: int, code: str, user: str | None = None) -> str:
    who = f' creatingUser="{user}"' if user else ""
    return (
        f'<PlainTextSelection guid="{start:08d}-0000-0000-0000-{end:012d}" startPosition="{start}" '
        f'endPosition="{end}"{who}><Coding guid="{end:08d}-0000-0000-0000-{start:012d}">'
        f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
    )
