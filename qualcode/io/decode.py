"""Turn a file's bytes into text: BOMs, UTF-16, a cp1252 fallback that says so, line ends."""

from __future__ import annotations

import codecs
from pathlib import Path

from ..errors import DecodeError, InputFileError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = set(range(0, 32)) - {9, 10, 12, 13}


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


MAX_FILE_BYTES = 512 * 1024**2


def read_bytes(path: Path) -> bytes:
    """Read a file, with one clear line for the usual failures. Only regular files are read
    (a FIFO would hang, ``/dev/zero`` never ends), and at most ``MAX_FILE_BYTES``."""
    import stat

    if not path.exists():
        raise InputFileError(f"{path}: no such file; check the path")
    if path.is_dir():
        raise InputFileError(f"{path}: is a folder, not a file")
    try:
        info = path.stat()
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read ({exc.strerror}); check its permissions") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputFileError(f"{path}: not a regular file (a pipe, device or socket); give a transcript file")
    if info.st_size > MAX_FILE_BYTES:
        raise InputFileError(
            f"{path}: {info.st_size:,} bytes, over the {MAX_FILE_BYTES:,} qualcode reads from one file; split it"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read ({exc.strerror}); check its permissions") from None
    if not data.strip():
        raise InputFileError(f"{path}: file is empty; remove it from the input or add its text")
    return data


def decode_text(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str, str | None]:
    """Decode bytes of a text file.

    Returns ``(text, encoding, note)``: the text with LF line ends and no BOM, the
    encoding used, and a note when qualcode had to fall back (cp1252). Raises as
    :func:`decode_raw`.
    """
    text, used, note = decode_raw(data, path, encoding)
    return normalise_newlines(text), used, note


def decode_raw(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str, str | None]:
    """Decode bytes of a text file, keeping its line ends (a BOM is removed).

    Returns ``(text, encoding, note)`` as :func:`decode_text`.

    Raises
    ------
    InputFileError
        The bytes look binary.
    DecodeError
        The text is neither UTF-8, UTF-16/32 with BOM, nor cp1252.
    """
    if encoding:
        try:
            return data.decode(encoding).lstrip("\ufeff"), encoding, None
        except (UnicodeDecodeError, LookupError) as exc:
            raise DecodeError(f"{path}: cannot decode as {encoding} ({exc}); check --encoding") from None
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(name)
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    f"{path}: broken {name} text at byte {exc.start}; re-save the file as UTF-8"
                ) from None
            return text.lstrip("\ufeff"), name.replace("-sig", ""), None
    if b"\x00" in data[:8192]:
        raise InputFileError(
            f"{path}: looks like a binary file (NUL bytes; or UTF-16 without a BOM); "
            "give a text transcript or re-save it as UTF-8"
        )
    try:
        return data.decode("utf-8"), "utf-8", None
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise DecodeError(
            f"{path}: not UTF-8 text (byte {utf8_error.start}) nor cp1252 (byte {exc.start}); "
            "re-save it as UTF-8 or pass --encoding"
        ) from None
    controls = sum(1 for ch in text[:8192] if ord(ch) in _CONTROL)
    if controls > max(8, len(text[:8192]) // 50):
        raise InputFileError(f"{path}: looks like a binary file; give a text transcript")
    note = f"{path}: not valid UTF-8 (byte {utf8_error.start}); decoded as cp1252 (Windows-1252)"
    return text, "cp1252", note


def read_text(path: Path, encoding: str | None = None) -> tuple[str, str, str | None]:
    """Read and decode a text file (see :func:`decode_text`)."""
    return decode_text(read_bytes(path), path, encoding)
