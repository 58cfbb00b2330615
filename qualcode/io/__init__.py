"""Readers: files and folders of transcripts → a :class:`~qualcode.corpus.Corpus`.

One module per format, each registering its reader by suffix (:mod:`qualcode.io.base`) and
returning :class:`~qualcode.document.Document` objects: ``text`` (.txt, .md, Otter.ai .txt),
``docx`` (.docx), ``odt`` (.odt), ``rtf`` (.rtf), ``pdf`` (.pdf), ``html`` (.html), ``subtitles`` (.vtt, .srt),
``whisper`` (.json of Whisper, WhisperX, whisper.cpp), ``table`` (.csv, .tsv, .xlsx; Whisper's timed
tables as transcripts). A transcript in several formats is read once (:mod:`qualcode.io.formats`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from ..corpus import Corpus
from ..document import Document, nfc
from ..errors import ColumnError, InputFileError, OptionError, listed
from ..fileio import sha256_file
from ..segment import segment_documents
from . import docx, html, odt, pdf, rtf, subtitles, table, text, whisper  # noqa: F401  (each registers its reader)
from .base import UNREAD_DOCUMENTS, UNREAD_TABLES, ReadOptions, input_suffixes, reader_for, table_suffixes
from .code_columns import MissingCodesColumn
from .copies import exact_copies, near_copies
from .formats import Gathered
from .html import PAGES, is_qualcode_page
from .metadata import attach_metadata, read_metadata, tidy_metadata
from .pdf_cache import kept_in
from .whisper import is_timed_table, is_transcript_json

SIDECAR_NAMES = {"participants.csv", "metadata.csv", "participants.xlsx", "metadata.xlsx"}
NOT_TRANSCRIPTS = {"readme", "license", "licence", "changelog", "notice"}
# a codebook or coding manual kept beside the transcripts (codebook.docx, Coding_Manual_v3.pdf)
CODEBOOK_NAME = re.compile(r"(?:^|[^a-z])(?:code ?books?|coding[ _-]?manuals?)(?:[^a-z]|$)", re.I)

IDS = ("name", "folder")  # how documents are named: file name, or folder and file name

__all__ = ["find_files", "input_suffixes", "read_document", "read_metadata", "read_transcripts"]


def find_files(inputs: Iterable[str | Path], *, exclude: Iterable[str | Path] = (), tables: bool = False) -> list[Path]:
    """Expand files and folders (recursively, by known extension) into a sorted file list.

    Folders skip hidden files, Office lock files (``~$…``), sidecar metadata files
    (``participants.csv``, ``metadata.csv``), README / LICENSE / CHANGELOG files, codebooks and
    coding manuals by name (``codebook.docx``, ``Coding_Manual_v3.pdf``), and
    tables (.csv .tsv .xlsx: metadata or codings, usually) unless ``tables`` is true or the table
    is Whisper's timed one, and JSON that is not a transcript (qualcode's ``.meta.json``
    records, settings); a file named explicitly is always read, and a file named twice is read once.
    """
    skip = {Path(p).resolve() for p in exclude}
    suffixes, tables_ = input_suffixes(), table_suffixes()
    found: list[Path] = []
    skipped_tables: list[Path] = []
    unread: list[Path] = []
    for item in inputs:
        path = Path(item)
        if not path.exists():
            raise InputFileError(f"{path}: no such file or folder; check the path")
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if not child.is_file():
                    continue
                suffix = child.suffix.lower()
                if (
                    suffix in suffixes
                    and _searched(child, path, skip)
                    and child.name.lower() not in SIDECAR_NAMES
                    and (tables or suffix not in tables_ or is_timed_table(child))  # Whisper's .tsv
                    and (suffix != ".json" or is_transcript_json(child))
                    and not (suffix in PAGES and is_qualcode_page(child))  # a report qualcode wrote
                ):
                    found.append(child)
                elif not tables and suffix in tables_:
                    skipped_tables.append(child)
                elif (suffix in UNREAD_DOCUMENTS or (tables and suffix in UNREAD_TABLES)) and _searched(
                    child, path, skip
                ):
                    unread.append(child)  # a transcript in a format qualcode does not read (d05.doc)
        else:
            reader_for(path)  # an unsupported suffix fails here, before anything is read
            found.append(path)
    _check_unread(unread, found)
    if not found and skipped_tables:
        raise InputFileError(
            f"no transcripts found in {', '.join(str(i) for i in inputs)}: its {len(skipped_tables)} tables "
            f"({skipped_tables[0].name}, …) are read as transcripts only when a table column is named: "
            "--text-column (the column holding the text), or --speaker-column for utterance tables"
        )
    if not found:
        raise InputFileError(
            f"no transcripts found in {', '.join(str(i) for i in inputs)}; qualcode reads {', '.join(suffixes)}"
        )
    # a file named twice (a folder and a file in it, a shell glob) is one document, read once
    once: dict[Path, Path] = {}
    for path in found:
        once.setdefault(path.resolve(), path)
    return list(once.values())


def _searched(child: Path, folder: Path, skip: set[Path]) -> bool:
    """Is ``child``, found in ``folder``, a file a folder search looks at: not hidden, not an
    Office lock file, not a README or licence, not a codebook or coding manual by its name,
    not one the run leaves out (its codebook)?"""
    return (
        not any(part.startswith(".") for part in child.relative_to(folder).parts)
        and not child.name.startswith("~$")
        and child.stem.lower().split("-")[0] not in NOT_TRANSCRIPTS
        and not CODEBOOK_NAME.search(child.stem)
        and child.resolve() not in skip
    )


def _check_unread(unread: list[Path], found: list[Path]) -> None:
    """An error naming the files of a folder in formats qualcode does not read (an interview
    kept as .doc), unless a file it reads holds the same name beside it (``d05.doc`` saved as
    ``d05.docx``): left out, the study would be short of those interviews without a word."""
    read = {(path.parent.resolve(), path.stem.lower()) for path in found}
    missing = [path for path in unread if (path.parent.resolve(), path.stem.lower()) not in read]
    if not missing:
        return
    first = missing[0]
    how = UNREAD_DOCUMENTS.get(first.suffix.lower()) or UNREAD_TABLES[first.suffix.lower()]
    more = (
        f" ({len(missing) - 1} more such file{'s' if len(missing) > 2 else ''}: {listed([p.name for p in missing[1:]], 3)})"
        if len(missing) > 1
        else ""
    )
    raise InputFileError(f"{first}: qualcode does not read {how}, or move it out of the folder{more}")


def read_document(
    path: str | Path,
    *,
    encoding: str | None = None,
    speaker_patterns: Sequence[str] | None = None,
    text_column: str | Sequence[str] | None = None,
    id_column: str | None = None,
    speaker_column: str | None = None,
    codes_column: str | Sequence[str] | None = None,
    codes_separator: str = ";",
) -> list[Document]:
    """Read one file into documents (tables may hold many); ``doc_id`` is the file stem.
    The reader is chosen by suffix from the registry (:mod:`qualcode.io.base`)."""
    path = Path(path)
    options = ReadOptions(
        encoding, speaker_patterns, text_column, id_column, speaker_column, codes_column, codes_separator
    )
    docs = reader_for(path).read(path, options)
    digest = sha256_file(path)
    for doc in docs:
        doc.sha256 = digest
        # one id however the file system spells its letters: a Mac names files in NFD ('e' and a
        # combining diaeresis), the participants sheet typed 'ë' in NFC, and the two never joined
        doc.doc_id = nfc(doc.doc_id)
    return docs


def read_transcripts(
    inputs: str | Path | Iterable[str | Path],
    *,
    metadata: str | Path | pd.DataFrame | None = None,
    metadata_key: str = "doc_id",
    segment_by: str = "auto",
    window_size: int = 3,
    window_overlap: int = 1,
    window_seconds: float = 60.0,
    interviewers: Sequence[str] | None = None,
    speaker_patterns: Sequence[str] | None = None,
    text_column: str | Sequence[str] | None = None,
    id_column: str | None = None,
    speaker_column: str | None = None,
    codes_column: str | Sequence[str] | None = None,
    codes_separator: str = ";",
    encoding: str | None = None,
    unit: str | None = None,
    exclude: Sequence[str | Path] = (),
    cache: str | Path | None = "default",
    ids: str = "name",
) -> Corpus:
    """Read transcripts from files and folders, join participant metadata, and segment them.

    Parameters
    ----------
    inputs
        Files or folders (searched recursively for .txt .md .docx .odt .rtf .pdf .html .vtt .srt .json .csv .tsv .xlsx).
    metadata
        A participants CSV/XLSX (or DataFrame) with one row per document; joined on
        ``metadata_key`` (default ``doc_id``, the file stem). Values win over YAML front matter.
    segment_by
        How documents are cut into segments: ``auto``, ``turn``, ``paragraph``, ``sentence``,
        ``window`` or ``time`` (see :mod:`qualcode.segment`); checked before any file is read.
    window_size, window_overlap
        Sentences per window and sentences shared by consecutive windows.
    window_seconds
        With ``segment_by="time"``: seconds of media time per window (captions).
    interviewers
        Speaker names to treat as interviewers (default: detected by name).
    speaker_patterns
        Regular expressions for speaker labels in text (see :mod:`qualcode.io.speakers`).
    text_column, id_column, speaker_column
        For .csv/.xlsx input (see :mod:`qualcode.io.table`); several text columns (the open-ended
        questions of one survey): one document per respondent, one segment per answer.
    codes_column, codes_separator
        For .csv/.xlsx input: a column of human codes, or several (each its own coder, named by
        the column: two coders' columns, or a teacher's and a student's; columns of 1/0 cells,
        or a pattern such as ``theme_*`` matching them, are a code each), read as ``corpus.codings``.
    encoding
        Force a text encoding instead of detecting it.
    unit
        Deprecated spelling of ``segment_by``.
    exclude
        Files a folder search leaves out (the run's codebook, kept beside the transcripts);
        ``metadata`` is left out too.
    cache
        Where the text extracted from PDFs is kept for the next read: ``"default"`` (the user
        cache folder, ``$QUALCODE_CACHE`` if set), a folder, or None to keep it nowhere (no
        interview's words written outside its own file).
    ids
        How a document is named: ``"name"`` (its file name without the extension, ``superintendent``)
        or ``"folder"`` (its folder's name and its own, ``d01/superintendent``: a folder per district
        or site whose files are named alike), its folder's name then also the metadata ``folder``
        (a participants sheet's or the file's own front matter wins). Ids a table's ``id_column``
        holds stay as written.

    Returns
    -------
    Corpus
        ``corpus.segments`` is the segments DataFrame; ``corpus.warnings`` lists what was noticed.

    Examples
    --------
    >>> import qualcode as qc
    >>> corpus = qc.read_transcripts("examples/interviews",
    ...                              metadata="examples/interviews/participants.csv")
    >>> sorted(corpus.segments["district"].unique())[:1]
    ['D01']
    """
    from ..segment import check_segmentation

    segment_by = check_segmentation(segment_by, window_size, window_overlap, unit, window_seconds)
    if ids not in IDS:
        raise OptionError(f"ids {ids!r} is not one of: {', '.join(IDS)}", option="ids")
    if isinstance(inputs, str | Path):
        inputs = [inputs]
    if isinstance(inputs, pd.DataFrame):  # a survey already in a notebook
        raise OptionError(
            "inputs: a DataFrame; read_transcripts reads files and folders. For a table's texts: "
            "qc.segments_from_texts(df['answer'], doc_ids=df['id'], role=df['role'])",
            option="inputs",
        )
    inputs = list(inputs)
    sidecar = [*([metadata] if isinstance(metadata, str | Path) else []), *exclude]
    # naming a table's columns says its tables are the transcripts (a folder of utterance sheets)
    paths = find_files(inputs, exclude=sidecar, tables=bool(text_column or speaker_column or codes_column))
    gathered = Gathered(by_folder=ids == "folder")  # one document per id; a transcript in several formats read once
    lacking: list[tuple[Path, MissingCodesColumn]] = []  # tables without (some of) the codes columns

    def read(path: Path, codes: str | Sequence[str] | None) -> list[Document]:
        return read_document(
            path,
            encoding=encoding,
            speaker_patterns=speaker_patterns,
            text_column=text_column,
            id_column=id_column,
            speaker_column=speaker_column,
            codes_column=codes,
            codes_separator=codes_separator,
        )

    with kept_in(cache):  # PDF text kept where the run says (nowhere: --no-cache)
        for path in paths:
            try:
                found = read(path, codes_column)
            except MissingCodesColumn as error:
                if len(paths) == 1:
                    raise
                lacking.append((path, error))  # a new wave beside a coded one: read with the columns it has
                found = read(path, error.found or None)
            for doc in found:
                if ids == "folder":  # the folder names the document, and is a group to count by
                    doc.doc_id = folder_id(doc.doc_id, path, id_column)
                    doc.metadata.setdefault("folder", nfc(path.resolve().parent.name))
                gathered.add(doc, path, alone=len(found) == 1)
    documents = gathered.documents
    warnings = [note for doc in documents for note in doc.notes]
    warnings += gathered.notes()
    if lacking:
        warnings.append(_lacking_codes(lacking, codes_column, len(paths)))
    warnings += exact_copies(documents)
    warnings += _unlike(documents)
    if metadata is not None:
        if isinstance(metadata, pd.DataFrame):
            table = metadata.astype(str).set_index(metadata_key) if metadata_key in metadata.columns else None
            if table is None:
                from ..errors import MetadataError

                raise MetadataError(
                    f"metadata DataFrame has no column {metadata_key!r}; columns are: "
                    f"{', '.join(map(str, metadata.columns))}"
                )
            warnings += attach_metadata(documents, table, source="metadata")
        else:
            warnings += attach_metadata(documents, read_metadata(metadata, key=metadata_key), source=str(metadata))
    warnings += tidy_metadata(documents)
    segments = segment_documents(
        documents,
        segment_by=segment_by,
        window_size=window_size,
        window_overlap=window_overlap,
        window_seconds=window_seconds,
        interviewers=interviewers,
    )
    warnings += segments.attrs.get("notes", [])
    warnings += near_copies(documents, segments)  # on what participants said: a protocol read to all is no copy
    return Corpus(documents, segments, warnings, segment_by)


def folder_id(doc_id: str, path: Path, id_column: str | None) -> str:
    """``doc_id`` with the name of ``path``'s folder before it (``d01/superintendent``) when the
    id comes from the file's name (a table's rows without an id column: ``answers-3``); ids a
    table's ``id_column`` holds stay as written."""
    stem = nfc(path.stem)
    folder = nfc(path.resolve().parent.name)
    from_name = doc_id == stem or (id_column is None and doc_id.startswith(f"{stem}-"))
    return f"{folder}/{doc_id}" if folder and from_name else doc_id


def _lacking_codes(
    lacking: list[tuple[Path, MissingCodesColumn]], asked: str | Sequence[str] | None, files: int
) -> str:
    """The warning for tables read without (some of) the codes columns, other tables having
    them; an error when no table has one of them (a misspelt name)."""
    from ..errors import listed
    from .code_columns import asked_columns

    names = asked_columns(asked)
    nowhere = [name for name in names if all(name in error.missing for _, error in lacking)]
    if nowhere and len(lacking) == files:  # no table has it: a misspelt name
        first = next(error for _, error in lacking if nowhere[0] in error.missing)
        raise ColumnError(f"{first} (none of the {files} tables has it)")
    bare = [str(path) for path, error in lacking if not error.found]
    part = [f"{path} (no {listed([repr(m) for m in error.missing])})" for path, error in lacking if error.found]
    lines = []
    if bare:
        lines.append(
            f"{listed(bare, 5)} {'has' if len(bare) == 1 else 'have'} no column of codes ({listed([repr(n) for n in names])}): "
            f"{'its' if len(bare) == 1 else 'their'} rows are read as not coded yet, and scored"
        )
    if part:
        lines.append(f"read with the columns of codes they have: {listed(part, 5)}")
    return "; ".join(lines) + " (a table coded under another column name: give that name as one more --codes-column)"


PROSE_FORMATS = frozenset({"txt", "md", "docx", "odt", "pdf", "html", "vtt", "srt", "json"})  # one transcript per file
LIKE_SHARE = 2 / 3  # of the transcripts with speakers, for the warning below


def _unlike(documents: list[Document]) -> list[str]:
    """A warning naming transcripts without a single speaker label among transcripts that
    mostly have them (at least two, two thirds): a consent form, an article or field notes in
    the transcripts' folder, read as one more interview and coded as a participant's talk, or
    a transcript whose labels are written in a way qualcode does not read (each then one
    unlabelled turn)."""
    files = [doc for doc in documents if doc.format in PROSE_FORMATS]
    labelled = sum(doc.has_speakers for doc in files)
    bare = [doc for doc in files if not doc.has_speakers]
    if not bare or labelled < 2 or labelled < LIKE_SHARE * len(files):
        return []
    names = [Path(doc.path).name for doc in bare]
    one = len(bare) == 1
    timed = all(doc.times for doc in bare)  # captions or speech recognition without speakers
    fix = (
        "if it is a recording transcribed without telling speakers apart, transcribe it with diarization "
        "(whisperx --diarize, or the captions of the meeting's own recording), which names each speaker"
        if timed
        else "if it is no transcript (a consent form, notes), leave it out of the inputs; if its labels are "
        "written another way, read them with speaker_patterns= (README: Reading transcripts)"
    )
    return [
        f"{listed(names, 5)} {'has' if one else 'have'} no speaker label, where {labelled} of the {len(files)} "
        f"transcripts have: {'its' if one else 'their'} text is read as one speaker's and suggested codes as a "
        f"participant's; {fix}"
    ]
