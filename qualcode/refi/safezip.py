"""Opening a ``.qdpx`` (a zip archive from a stranger) without trusting it.

Nothing is extracted to disk: members are read into memory by name. Before anything is
read, every entry name is checked (no absolute paths, drive letters or ``..`` parts: the
"zip-slip" attack) and links are refused. Sizes are capped twice: the sizes the archive
declares, and the bytes actually inflated while reading (a zip bomb can lie in its header),
together with the compression ratio of each entry.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from ..errors import RefiError

MAX_TOTAL_BYTES = 2 * 1024**3  # everything inflated, together
MAX_RATIO = 200  # inflated / compressed, per entry above RATIO_FLOOR bytes
RATIO_FLOOR = 1024**2
MAX_ENTRIES = 100_000
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Caps applied while opening an archive (bytes, ratio, number of entries)."""

    max_total_bytes: int = MAX_TOTAL_BYTES
    max_ratio: float = MAX_RATIO
    max_entries: int = MAX_ENTRIES


def _unsafe_name(name: str) -> str | None:
    """Why an entry name is unsafe, or None."""
    if "\x00" in name:
        return "a NUL byte in its name"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if ".." in parts:
        return "a '..' part that points outside the project"
    return None


class SafeZip:
    """Read members of a zip archive within :class:`Limits`.

    Raises
    ------
    RefiError
        The file is not a zip, or holds an entry that is unsafe (absolute path, ``..``, a
        link) or too large (the total or the compression ratio above the limits).
    """

    def __init__(self, path: str | Path | IO[bytes], limits: Limits | None = None, *, label: str | None = None) -> None:
        self.path = label or (path if isinstance(path, str | Path) else "<archive>")
        self.limits = limits or Limits()
        self._inflated = 0
        try:
            self._zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise RefiError(
                f"{self.path}: not a zip archive (.qdpx and .docx files are zips); export it again from the program"
            ) from None
        except OSError as exc:
            raise RefiError(f"{self.path}: cannot open ({exc.strerror or exc}); check the path") from None
        infos = self._zip.infolist()
        if len(infos) > self.limits.max_entries:
            self.close()
            raise RefiError(
                f"{self.path}: {len(infos)} entries, more than the {self.limits.max_entries} allowed; "
                "this is not a REFI-QDA project"
            )
        declared = 0
        seen: set[str] = set()
        for info in infos:
            reason = _unsafe_name(info.filename)
            if reason is None and stat.S_ISLNK(info.external_attr >> 16):
                reason = "a symbolic link"
            if reason is None and info.filename.lower() in seen:
                reason = "a name the archive holds twice (readers would disagree on which to take)"
            seen.add(info.filename.lower())
            if reason is not None:
                self.close()
                raise RefiError(
                    f"{self.path}: refused entry {info.filename!r}: {reason}; the file is unsafe to open "
                    "(re-export it from the program that made it)"
                )
            declared += info.file_size
            self._check_ratio(info, info.file_size)
        if declared > self.limits.max_total_bytes:
            self.close()
            raise RefiError(self._too_big(declared))
        self.names = [info.filename for info in infos if not info.is_dir()]

    def _too_big(self, size: int) -> str:
        return (
            f"{self.path}: unpacks to more than {self.limits.max_total_bytes:,} bytes ({size:,}); refused as a "
            "possible zip bomb (pass a larger max_total_bytes if the project is really that big)"
        )

    def _check_ratio(self, info: zipfile.ZipInfo, size: int) -> None:
        if size > RATIO_FLOOR and size > self.limits.max_ratio * max(info.compress_size, 1):
            self.close()
            raise RefiError(
                f"{self.path}: entry {info.filename!r} inflates {size / max(info.compress_size, 1):,.0f} times; "
                f"refused as a possible zip bomb (limit {self.limits.max_ratio:g}x)"
            )

    def find(self, name: str) -> str | None:
        """The archive's own spelling of ``name``, matched case-insensitively with ``/`` or ``\\``."""
        wanted = name.replace("\\", "/").lstrip("/").lower()
        for member in self.names:
            if member.replace("\\", "/").lower() == wanted:
                return member
        return None

    def read(self, member: str) -> bytes:
        """The bytes of one member, counted against the limits as they are inflated."""
        info = self._zip.getinfo(member)
        chunks: list[bytes] = []
        size = 0
        try:
            with self._zip.open(info) as handle:
                while block := handle.read(_CHUNK):
                    size += len(block)
                    self._inflated += len(block)
                    if self._inflated > self.limits.max_total_bytes:
                        raise RefiError(self._too_big(self._inflated))
                    self._check_ratio(info, size)
                    chunks.append(block)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise RefiError(f"{self.path}: entry {member!r} is damaged ({exc}); export the project again") from None
        return b"".join(chunks)

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
