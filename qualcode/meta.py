"""The provenance file beside every codings CSV: ``coded.csv`` → ``coded.meta.json``.

The one module that writes and reads it. It records how the output was made (versions,
codebook hash, the run's :class:`~qualcode.settings.Settings`, models, input files with
their SHA-256) and so tells later commands how to read the same inputs the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, overload

from .errors import InputFileError
from .fileio import atomic_write_text
from .settings import Settings


def meta_path(output: str | Path) -> Path:
    """``coded.csv`` → ``coded.meta.json``."""
    output = Path(output)
    return output.with_name(output.stem + ".meta.json")


def check_own_record(path: str | Path) -> Path:
    """Fail early when the ``.meta.json`` an output writes beside it is the record of another
    table of the same name: ``next -o coded.xlsx`` beside ``coded.csv`` would replace the
    record of the researcher's codings (``coded.meta.json``) with the sheet's."""
    from .errors import OutputError

    path = Path(path)
    record = meta_path(path)
    for suffix in (".csv", ".xlsx"):
        other = path.with_suffix(suffix)
        if suffix != path.suffix.lower() and other.is_file() and record.is_file():
            raise OutputError(
                f"{path}: its record {record.name} is that of {other.name} beside it and would be replaced; "
                f"name the output otherwise, e.g. {path.stem}_2{path.suffix}"
            )
    return path


def meta_text(meta: dict[str, Any]) -> str:
    """The JSON text of a record (sorted keys, two-space indent, LF: deterministic)."""
    return json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


STARTED_IN = "started_in"


def started_in(output: str | Path, folder: str | Path | None = None) -> str | None:
    """The folder a run was started in (``folder``, else this process's), relative to the
    folder of the record beside ``output``: the record names its inputs as the run was given
    them, relative to that folder, and later commands run from elsewhere find them through
    it. None where no relative path leads there (another drive)."""
    import os

    try:
        where = os.path.relpath(Path(folder or Path.cwd()).resolve(), Path(output).resolve().parent)
    except ValueError:
        return None
    return Path(where).as_posix()


def run_folder(meta: Meta) -> Path | None:
    """The folder the run that wrote ``meta`` was started in, as its record says (None for a
    record written before qualcode recorded it)."""
    where = meta.record.get(STARTED_IN)
    return (meta.path.parent / where).resolve() if isinstance(where, str) and where else None


def meta_writer(meta: dict[str, Any], output: str | Path | None = None) -> Callable[[Path], object]:
    """What writes the record's JSON text to a path (for :func:`~qualcode.fileio.write_together`);
    with ``output`` (the file the record is beside), the record says where the run was started
    (:func:`started_in`)."""
    if output is not None and STARTED_IN not in meta:
        meta = {**meta, STARTED_IN: started_in(output)}
    text = meta_text(meta)
    return lambda tmp: tmp.write_text(text, encoding="utf-8", newline="\n")


def write_meta(output: str | Path, meta: dict[str, Any]) -> Path:
    """Write the provenance JSON beside ``output``, atomically."""
    return atomic_write_text(meta_path(output), meta_text(meta))


@dataclass(frozen=True)
class Meta:
    """What a ``.meta.json`` says: ``settings`` of the run, the ``inputs`` it read (paths as
    written there), and the whole ``record``."""

    path: Path
    settings: Settings
    inputs: list[Path] = field(default_factory=list)
    record: dict[str, Any] = field(default_factory=dict)

    def read_options(self) -> dict[str, Any]:
        """The keywords of :func:`qualcode.read_transcripts` that read the inputs as the run did
        (its codebook left out of a folder search, as the run left it)."""
        codebook = self.codebook_path()
        return {**self.settings.read_options(), **({"exclude": [codebook]} if codebook else {})}

    def files_read(self) -> list[str | Path]:
        """Every file the run read: transcripts, participant metadata, training codings (an
        output must never replace one of them)."""
        extra = [self.settings.metadata, *(self.settings.training or ())]
        return [*self.inputs, *(str(path) for path in extra if path)]

    def codebook_path(self) -> str | None:
        """The path of the codebook the run used, as it recorded it (None when it did not)."""
        recorded = self.record.get("codebook")
        path = recorded.get("path") if isinstance(recorded, dict) else None
        return str(path) if path else None


@overload
def recorded_codebook(coded: Sequence[str | Path], *, required: Literal[True] = True) -> tuple[str, Any]: ...
@overload
def recorded_codebook(coded: Sequence[str | Path], *, required: bool) -> tuple[str, Any] | None: ...
def recorded_codebook(coded: Sequence[str | Path], *, required: bool = True) -> tuple[str, Any] | None:
    """The path and codebook the run that wrote the first of ``coded`` recording one used,
    for a command given no codebook (``qualcode next coded.csv -n 20 -o to_code.xlsx``); read
    as the file is now, with a warning when it changed since. Not ``required`` (the analysis
    commands, which can count codes by id): None when there is no record, and a warning
    instead of an error when the recorded file is gone or no longer a codebook.

    Raises
    ------
    OptionError
        ``required``, and no file of ``coded`` records a codebook, or the recorded one is not
        there any more.
    CodebookError
        ``required``, and the recorded file is no longer a valid codebook.
    """
    import warnings

    from .codebook import load_codebook
    from .errors import OptionError, QualcodeError, QualcodeWarning

    for item in coded:
        meta = read_meta(item)
        path = meta.codebook_path() if meta is not None else None
        if meta is None or path is None:
            continue
        try:
            if not Path(path).is_file():
                raise OptionError(
                    f"{item}: the codebook it was made with, {path}, is not there any more; "
                    "give it with --codebook (-c)"
                )
            book = load_codebook(path)
        except QualcodeError as error:
            if required:
                raise
            warnings.warn(QualcodeWarning(f"{error}; codes are shown by id"), stacklevel=2)
            return None
        if book.hash != (meta.record.get("codebook") or {}).get("sha256"):
            warnings.warn(
                QualcodeWarning(f"{path} changed since {item} was made; it is used as it is now"), stacklevel=2
            )
        return path, book
    if not required:
        return None
    if not coded:
        raise OptionError("give the codebook with --codebook (-c)")
    missing = next((item for item in coded if not Path(item).exists()), None)
    if missing is not None:  # not a file without a record: no file at all
        from .errors import InputFileError

        raise InputFileError(f"{missing}: no such file; check the path")
    raise OptionError(
        f"{coded[0]}: no record of the codebook it was made with beside it; give one with --codebook (-c)"
    )


def read_meta(coded: str | Path) -> Meta | None:
    """The ``.meta.json`` beside a codings CSV (or that file itself), or None when there is none.

    Raises
    ------
    InputFileError
        The file exists but is not a readable record.
    """
    from .fileio import recover

    path = Path(coded)
    meta = path if path.name.endswith(".meta.json") else meta_path(path)
    if not path.name.endswith(".meta.json"):
        recover(path)  # a run killed between writing the CSV and its record: finish it
    if not meta.is_file():
        return None
    try:
        record = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(f"{meta}: not a readable qualcode record ({exc}); delete it or restore it") from None
    if not isinstance(record, dict):
        raise InputFileError(f"{meta}: not a qualcode record (expected a JSON object); delete it or restore it")
    settings = Settings.from_record(record.get("settings") or {})
    inputs = [Path(item["path"]) for item in record.get("inputs", []) if isinstance(item, dict) and "path" in item]
    return _located(Meta(meta, settings, inputs, record))


def _located(meta: Meta) -> Meta:
    """``meta`` with the files its run read found from here: a record names them as the run
    was given them, relative to the folder it ran in; run from another folder (``qualcode next
    ../coded.csv``), such a path is looked for under the folder the run was started in (the
    record says where, relative to itself: :func:`started_in`), then under the record's folder
    and the folders above it (the transcripts' SHA-256 then tells whether they are the files the
    run read)."""
    import os

    ran_in = run_folder(meta)
    folders = [meta.path.parent.resolve(), *meta.path.parent.resolve().parents][:4]

    def find(path: str) -> str:
        if Path(path).is_absolute():
            return path
        if ran_in is not None and (ran_in / path).exists():  # before a file of that name here (a copy)
            return os.path.relpath(ran_in / path)
        if Path(path).exists():
            return path
        for folder in folders:
            if (folder / path).exists():
                return os.path.relpath(folder / path)
        return path

    settings = meta.settings.model_copy(
        update={
            "metadata": find(meta.settings.metadata) if meta.settings.metadata else None,
            "training": tuple(find(path) for path in meta.settings.training) if meta.settings.training else None,
        }
    )
    record = dict(meta.record)
    book = record.get("codebook")
    if isinstance(book, dict) and book.get("path"):
        record["codebook"] = {**book, "path": find(str(book["path"]))}
    return Meta(meta.path, settings, [Path(find(str(path))) for path in meta.inputs], record)


def earlier_codings(coded: Sequence[str | Path], what: str) -> tuple[dict[Path, int], list[str]]:
    """The codings files the runs that wrote ``coded`` learned from (as their records name
    them, and theirs in turn) and that ``coded`` leaves out, each with how many records away
    it is, with a line for each saying ``what`` reading it does: every code so far teaches,
    and a ``tag --train sheet.xlsx`` output copies the sheet's codes but not its rows where
    no code applies (read from the sheet, they are examples of none, and ``next`` does not
    choose them again). A file a run was given is one record away from its output; one the
    run read too, because a record named it, two: where files code the same segment, the
    nearest decides (:func:`qualcode.training.training_set`). A recorded file no longer
    there gets a line saying so, and is not returned."""
    import heapq

    from .codings import holds_human_codes

    away: dict[Path, int] = {Path(path).resolve(): 0 for path in coded}
    found: dict[Path, int] = {}
    named: dict[Path, Path] = {}  # each file as its record first wrote it
    lines: list[str] = []
    made: list[str] = []  # "X was made from Y", said in one line
    queue = [(0, order, str(item)) for order, item in enumerate(coded)]
    order = len(queue)
    while queue:
        steps, _, item = heapq.heappop(queue)
        meta = read_meta(item)
        if meta is None:
            original, line = renamed_sheet(item)
            lines += [line] if line else []
            meta = read_meta(original) if original is not None else None
        if meta is None:
            continue
        recorded = list(meta.settings.training or ())
        given = meta.settings.training_given if meta.settings.training_given is not None else len(recorded)
        for k, entry in enumerate(recorded):
            path = Path(entry)
            key, further = path.resolve(), steps + (1 if k < given else 2)
            if key in away:
                if further < away[key]:  # nearer than first found: so are the files its record names
                    away[key] = further
                    if key in named:
                        found[named[key]] = further
                    heapq.heappush(queue, (further, order, str(path)))
                    order += 1
                continue
            away[key] = further
            if not path.is_file():
                lines.append(
                    f"{item} was made from {entry}, which is no longer there: its rows where no code "
                    "applies are not known; give it too if it moved"
                )
                continue
            heapq.heappush(queue, (further, order, str(path)))
            order += 1
            if holds_human_codes(path):  # a zero-shot output a first sheet was chosen from teaches nothing
                named[key] = path
                found[path] = further
                made.append(f"{item} was made from {path}")
    if len(made) == 1:
        lines.append(f"{made[0]}: read too ({what})")
    elif made:
        lines.append(f"read too ({what}), as the records name them: {'; '.join(made)}")
    return found, lines


SHEET_COLUMNS = ("useful_for", "usefulness", "chosen")  # what a `qualcode next` sheet holds
TABLES = (".csv", ".tsv", ".xlsx", ".xlsm")


def renamed_sheet(path: str | Path) -> tuple[Path | None, str | None]:
    """A ``qualcode next`` sheet without its record (filled in and saved under another name,
    ``to_code.csv`` as ``to_code_ana.csv``): the sheet beside it whose record is there and
    that holds its segments (rows not coded may have been deleted), and a line saying which;
    or no sheet and a line saying that the codings it was chosen after are not known. Not a
    sheet: ``(None, None)``."""
    from .io.table import read_table

    path = Path(path)
    if path.suffix.lower() not in TABLES or not path.is_file():
        return None, None
    keys = _sheet_keys(read_table(path, what="a codings table"))
    if not keys:
        return None, None
    for record in sorted(path.parent.glob("*.meta.json")):
        stem = record.name[: -len(".meta.json")]
        for candidate in (path.with_name(stem + suffix) for suffix in TABLES):
            if candidate == path or not candidate.is_file():
                continue
            meta = read_meta(candidate)
            if meta is None or (meta.record.get("settings") or {}).get("command") != "next":
                continue
            try:
                theirs = _sheet_keys(read_table(candidate, what="a codings table"))
            except InputFileError:
                continue
            if theirs is not None and keys <= theirs:  # rows not coded may have been deleted
                return candidate, f"{path} holds the segments of the sheet {candidate}: read with its record"
    return None, (
        f"{path}: a qualcode next sheet without its record ({meta_path(path).name}; saved under another "
        "name?): the codings it was chosen after are not known here, so they do not teach; give them with "
        "--train too, or keep the sheet's name"
    )


def _sheet_keys(table: Any) -> frozenset[tuple[str, str]] | None:
    """The (doc_id, segment_id) rows of a ``next`` sheet; None for another table."""
    if not set(SHEET_COLUMNS) <= set(table.columns) or not {"doc_id", "segment_id"} <= set(table.columns):
        return None
    return frozenset(zip(table["doc_id"].astype(str), table["segment_id"].astype(str), strict=True))
