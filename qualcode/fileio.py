"""Small file helpers shared by readers and writers: hashing and atomic writes.

Outputs are written to a temporary file in the target's folder (``.NAME.PID.<random>.tmp``) and
renamed over the target, so a failed run never leaves a half-written file behind. Files that
belong together (a codings CSV and its ``.meta.json``) are written with :func:`write_together`:
both temporary files are complete before a small journal (``.NAME.commit``) is written, and
only then are they renamed; a run killed between the two renames is finished by the next
command that reads the pair (:func:`recover`), so a new CSV is never paired with old metadata.
Temporary files left by a killed process (its PID no longer running) are removed the next time
the same output is written.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import OutputError


def sha256_file(path: str | Path) -> str:
    """The SHA-256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_writable(path: str | Path) -> Path:
    """Fail early, before any work, when ``path`` cannot be written.

    Raises
    ------
    OutputError
        The folder does not exist, is not writable, or ``path`` is a folder.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name such as {path / 'coded.csv'}")
    if not folder.is_dir():
        raise OutputError(f"{path}: folder {folder} does not exist; create it first")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise OutputError(f"{path}: not writable; choose another output path")
    return path


def check_csv_name(path: str | Path) -> Path:
    """Fail early when a table qualcode writes as CSV is named otherwise: ``-o coded.xlsx``
    wrote CSV text that Excel refuses to open, and its ``coded.meta.json`` replaced the
    record of ``coded.csv`` beside it.

    Raises
    ------
    OutputError
        ``path`` does not end in ``.csv``.
    """
    path = Path(path)
    if path.suffix.lower() != ".csv":
        raise OutputError(
            f"{path}: qualcode writes this table as CSV (spreadsheets open it); name the output "
            f"{path.with_suffix('.csv').name}"
        )
    return path


def check_sheet_name(path: str | Path) -> Path:
    """Fail early when the sheet ``qualcode next`` writes is named other than ``.csv`` or
    ``.xlsx`` (the two forms it writes and reads back)."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise OutputError(
            f"{path}: the sheet to fill in is written as .csv or .xlsx; name the output "
            f"{path.with_suffix('.xlsx').name} (Excel) or {path.with_suffix('.csv').name}"
        )
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process: leave its files alone
    return True


def clean_stale(path: str | Path) -> list[Path]:
    """Remove temporary files beside ``path`` left by processes that no longer run (a run
    killed with SIGKILL cannot clean up after itself); the files removed."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    removed = []
    for candidate in folder.glob(f".{path.name}.*.tmp"):
        parts = candidate.name[len(path.name) + 2 :].split(".")
        if len(parts) >= 3 and parts[0].isdigit() and not _alive(int(parts[0])):
            candidate.unlink(missing_ok=True)
            removed.append(candidate)
    return removed


def _temporary(path: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent or ".")
    os.close(fd)
    return Path(name)


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` then rename the temporary file onto ``path``."""
    path = check_writable(path)
    clean_stale(path)
    tmp = _temporary(path)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc}); choose another output path") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _journal(path: Path) -> Path:
    return path.with_name(f".{path.name}.commit")


def write_together(items: Sequence[tuple[str | Path, Callable[[Path], object]]]) -> list[Path]:
    """Write several files that belong together, all or none: each ``write(tmp)`` completes
    before any target is replaced; a journal makes a crash between the renames recoverable
    (:func:`recover` on the first path finishes them)."""
    targets = [check_writable(path) for path, _ in items]
    for target in targets:
        recover(target)
        clean_stale(target)
    done: list[tuple[Path, Path]] = []
    try:
        for target, (_, write) in zip(targets, items, strict=True):
            tmp = _temporary(target)
            done.append((tmp, target))
            write(tmp)
            os.chmod(tmp, 0o644)
        journal = _journal(targets[0])
        atomic_write_text(journal, json.dumps([[tmp.name, target.name] for tmp, target in done]))
    except OSError as exc:
        for tmp, _ in done:
            tmp.unlink(missing_ok=True)
        raise OutputError(f"{targets[0]}: cannot write ({exc.strerror or exc}); choose another output path") from None
    except BaseException:
        for tmp, _ in done:
            tmp.unlink(missing_ok=True)
        raise
    recover(targets[0])
    return targets


def recover(path: str | Path) -> bool:
    """Finish a :func:`write_together` that was interrupted after its journal was written
    (rename the remaining temporary files onto their targets); whether there was one."""
    path = Path(path)
    journal = _journal(path)
    if not journal.is_file():
        return False
    try:
        pairs = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        journal.unlink(missing_ok=True)
        return False
    folder = path.parent if str(path.parent) else Path(".")
    for tmp_name, target_name in pairs:
        tmp = folder / Path(tmp_name).name
        if tmp.is_file():
            os.replace(tmp, folder / Path(target_name).name)
    journal.unlink(missing_ok=True)
    return True


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically with LF line ends."""

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8", newline="\n")

    return atomic_write(path, write)
