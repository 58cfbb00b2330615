"""Opening a zip archive from a stranger (a ``.qdpx`` project, a ``.docx`` transcript)
without trusting it: the one archive-safety module of qualcode.

Nothing is extracted to disk: members are read into memory by name. Before anything is
read, every entry name is checked (no absolute paths, drive letters or ``..`` parts: the
"zip-slip" attack), links and encrypted entries are refused. Sizes are capped twice: the
sizes the archive declares, and the bytes actually inflated while reading (a zip bomb can lie
in its header). The compression ratio is capped per entry *and over the whole archive*, so
many small entries cannot add up to a bomb either.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from .errors import QualcodeError, RefiError

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
    RefiError (or the ``error`` class given: InputFileError for a .docx)
        The file is not a zip, or holds an entry that is unsafe (absolute path, ``..``, a
        link, encryption, an unknown compression) or too large (the total or the compression
        ratio, per entry or together, above the limits).
    """

    def __init__(
        self,
        path: str | Path | IO[bytes],
        limits: Limits | None = None,
        *,
        label: str | None = None,
        error: type[QualcodeError] = RefiError,
    ) -> None:
        self.path = label or (path if isinstance(path, str | Path) else "<archive>")
        self.limits = limits or Limits()
        self.error = error
        self._inflated = 0
        self._compressed = 0
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, RuntimeError):
            # RuntimeError covers zipfile's refusals of versions and features it cannot read
            fix = (
                "re-save it from Word"
                if str(self.path).lower().endswith(".docx")
                else "export it again from the program"
            )
            raise self.error(f"{self.path}: not a zip archive (.qdpx and .docx files are zips); {fix}") from None
        except OSError as exc:
            raise self.error(f"{self.path}: cannot open ({exc.strerror or exc}); check the path") from None
        infos = self._zip.infolist()
        if len(infos) > self.limits.max_entries:
            self.close()
            raise self.error(
                f"{self.path}: {len(infos)} entries, more than the {self.limits.max_entries} allowed; "
                "this is not a file qualcode reads"
            )
        declared = 0
        seen: set[str] = set()
        for info in infos:
            reason = _unsafe_name(info.filename)
            if reason is None and stat.S_ISLNK(info.external_attr >> 16):
                reason = "a symbolic link"
            if reason is None and info.flag_bits & 0x1:
                reason = "encryption (qualcode does not open password-protected files)"
            if reason is None and info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                reason = f"compression method {info.compress_type} (only stored and deflated entries are read)"
            if reason is None and info.filename.lower() in seen:
                reason = "a name the archive holds twice (readers would disagree on which to take)"
            seen.add(info.filename.lower())
            if reason is not None:
                self.close()
                raise self.error(
                    f"{self.path}: refused entry {info.filename!r}: {reason}; the file is unsafe to open "
                    "(re-export it from the program that made it)"
                )
            declared += info.file_size
            self._check_ratio(info, info.file_size)
        if declared > self.limits.max_total_bytes:
            self.close()
            raise self.error(self._too_big(declared))
        compressed = sum(info.compress_size for info in infos)
        if declared > RATIO_FLOOR and declared > self.limits.max_ratio * max(compressed, 1):
            self.close()
            raise self.error(self._too_dense(declared, compressed))
        self.names = [info.filename for info in infos if not info.is_dir()]
        # one lookup table, not a scan per name (8,000 sources took 10 s)
        self._by_key: dict[str, str] = {}
        for member in self.names:
            self._by_key.setdefault(member.replace("\\", "/").lower(), member)

    def _too_dense(self, inflated: int, compressed: int) -> str:
        return (
            f"{self.path}: its entries inflate {inflated / max(compressed, 1):,.0f} times together; refused as a "
            f"possible zip bomb (limit {self.limits.max_ratio:g}x)"
        )

    def _too_big(self, size: int) -> str:
        return (
            f"{self.path}: unpacks to more than {self.limits.max_total_bytes:,} bytes ({size:,}); refused as a "
            "possible zip bomb (pass a larger max_total_bytes if the project is really that big)"
        )

    def _check_ratio(self, info: zipfile.ZipInfo, size: int) -> None:
        if size > RATIO_FLOOR and size > self.limits.max_ratio * max(info.compress_size, 1):
            self.close()
            raise self.error(
                f"{self.path}: entry {info.filename!r} inflates {size / max(info.compress_size, 1):,.0f} times; "
                f"refused as a possible zip bomb (limit {self.limits.max_ratio:g}x)"
            )

    def find(self, name: str) -> str | None:
        """The archive's own spelling of ``name``, matched case-insensitively with ``/`` or ``\\``."""
        return self._by_key.get(name.replace("\\", "/").lstrip("/").lower())

    def read(self, member: str) -> bytes:
        """The bytes of one member, counted against the limits as they are inflated."""
        info = self._zip.getinfo(member)
        chunks: list[bytes] = []
        size = 0
        self._compressed += info.compress_size
        try:
            with self._zip.open(info) as handle:
                while block := handle.read(_CHUNK):
                    size += len(block)
                    self._inflated += len(block)
                    if self._inflated > self.limits.max_total_bytes:
                        raise self.error(self._too_big(self._inflated))
                    self._check_ratio(info, size)
                    if self._inflated > RATIO_FLOOR and self._inflated > self.limits.max_ratio * max(
                        self._compressed, 1
                    ):
                        raise self.error(self._too_dense(self._inflated, self._compressed))
                    chunks.append(block)
        except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, UnicodeDecodeError) as exc:  # methods: above
            raise self.error(f"{self.path}: entry {member!r} is damaged ({exc}); export the file again") from None
        return b"".join(chunks)

    def read_all(self) -> dict[str, bytes]:
        """Every member, read within the limits (to check a file before another library opens it)."""
        return {name: self.read(name) for name in self.names}

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
