"""Reading REFI-QDA: projects (``.qdpx``) and codebooks (``.qdc``) from any program.

What real exports do, and what qualcode does about it:

- selection offsets in UTF-16 code units (NVivo) or with CR LF counted twice: detected per
  source and converted to characters (:mod:`qualcode.refi.offsets`), reported in ``warnings``;
- CR LF line ends and a BOM in the text files: removed (offsets follow);
- ``Sources/`` or ``sources/``, ``internal://`` paths, ``relative://`` and absolute paths: a
  file is looked up inside the archive only, by name, whatever the case; text outside the
  archive is never read;
- text kept only in a ``.docx`` (``richTextPath``): read with python-docx;
- missing optional attributes (user names, colours, creating users): sensible defaults;
- PDF, picture, audio and video sources: counted in ``warnings``, not imported.

Codings become a codings table with ``status`` ``human`` and the coder from the file
(qualcode's own exports restore suggestions with their status, score and evidence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import numpy as np
import pandas as pd

from .. import columns as C
from ..archive import Limits, SafeZip
from ..codebook import Codebook
from ..codings import span_segments
from ..corpus import Corpus
from ..document import Document, TimeSpan, Turn
from ..errors import InputFileError, RefiError, counted
from ..io.speakers import split_turns
from ..segment import order_metadata, segment_documents
from .codebooks import project_codebook, project_root
from .export import HUMAN_DEFAULTS, PARTICIPANT, QUALCODE_USER
from .offsets import choose_unit, normalise
from .parts import ProjectParts, guid_key
from .schema import child, child_text, children, unpack_description

CODING_COLUMNS = [
    C.DOC_ID,
    C.SEGMENT_ID,
    C.START_CHAR,
    C.END_CHAR,
    C.CODE,
    C.SCORE,
    C.METHOD,
    C.STATUS,
    C.CODER,
    C.EVIDENCE,
    C.SOURCE,
]
OTHER_SOURCES = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
_BAD_NAME = re.compile(r"[\\/:*?\"<>|\x00-\x1f]+")


@dataclass
class RefiProject:
    """A REFI-QDA project as qualcode tables.

    Attributes
    ----------
    path, name, origin
        The file read, the project's name and the program that wrote it.
    corpus
        The text sources as documents (``doc_id`` = the source's name), with the metadata of
        their cases and variables, segmented; every offset indexes ``corpus.text(doc_id)``.
    codebook
        The code tree (None when the project has no codes).
    codings
        One row per (selection, code, coder) and segment it codes: ``doc_id, segment_id,
        start_char, end_char`` (the selection), the metadata columns, ``code, score, method,
        status, coder, evidence, source, text`` (the selected text). ``segment_id`` is empty
        for a selection that codes no segment (the overlap rule of :mod:`qualcode.codings`).
    users
        ``guid, id, name`` of every user of the file.
    sources
        ``doc_id, guid, name, chars, offsets, text_from`` of every text source.
    warnings
        What was converted, left out or guessed.
    """

    path: str
    name: str
    origin: str
    corpus: Corpus
    codebook: Codebook | None
    codings: pd.DataFrame
    users: pd.DataFrame
    sources: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    @property
    def metadata(self) -> pd.DataFrame:
        """One row per source: ``doc_id`` and the metadata of its cases and variables."""
        return documents_metadata(self.corpus.documents)

    def __repr__(self) -> str:
        codes = len(self.codebook.ids) if self.codebook else 0
        return (
            f"RefiProject({self.name!r} from {self.origin or 'unknown program'}: {counted(len(self.corpus), 'source')}, "
            f"{counted(codes, 'code')}, {counted(len(self.codings), 'coding')}, {counted(len(self.users), 'user')})"
        )


def documents_metadata(documents: list[Document]) -> pd.DataFrame:
    """``doc_id`` and every metadata column (participant, role, district first), one row per document."""
    keys = order_metadata(dict.fromkeys(key for doc in documents for key in doc.metadata))
    rows = [{C.DOC_ID: doc.doc_id, **{k: str(doc.metadata.get(k, "")) for k in keys}} for doc in documents]
    return pd.DataFrame(rows, columns=[C.DOC_ID, *keys])


def _doc_ids(names: list[str]) -> list[str]:
    """File-safe, unique document ids from source names."""
    taken: set[str] = set()
    out = []
    for name in names:
        base = _BAD_NAME.sub("_", name).strip().strip(".") or "source"
        candidate, n = base, 1
        while candidate.lower() in taken:
            n += 1
            candidate = f"{base}-{n}"
        taken.add(candidate.lower())
        out.append(candidate)
    return out


def _turns(text: str) -> tuple[list[Turn], list[TimeSpan]]:
    """Speaker turns of an imported text, found exactly as the text reader finds them when the
    sources are read again (:func:`~qualcode.io.speakers.split_turns`: a long text before the
    first "label" makes the whole text one unlabelled turn)."""
    return split_turns(text)


def _selection_rows(
    reader: ProjectParts, source: Element, label: str, user_names: dict[str, str]
) -> list[dict[str, Any]]:
    """One row per (selection, coding) with raw offsets (None, None for whole-source codings)."""
    rows = []
    for selection in children(source, "PlainTextSelection"):
        try:
            start, end = int(selection.get("startPosition", "")), int(selection.get("endPosition", ""))
        except ValueError:
            raise RefiError(
                f"{reader.path}: selection {selection.get('guid')!r} of source {label!r} has no whole-number "
                "startPosition/endPosition; the file is damaged, export it again"
            ) from None
        text, data = unpack_description(child_text(selection, "Description"))
        # the note on the selection: qualcode's memo, or what another program's coder wrote there
        memo = str(data.get(C.MEMO, "")) if data is not None else text.strip()
        for coding in children(selection, "Coding"):
            rows.append({**_coding_row(coding, selection, (start, end), data, user_names), C.MEMO: memo})
    for coding in children(source, "Coding"):  # a coding of the whole source
        rows.append(_coding_row(coding, source, (None, None), None, user_names))
    return rows


def _coding_row(
    coding: Element, holder: Element, span: tuple[int | None, int | None], data: dict[str, Any] | None, users: dict
) -> dict[str, Any]:
    ref = child(coding, "CodeRef")
    user_guid = guid_key(coding.get("creatingUser") or holder.get("creatingUser"))
    creator = users.get(user_guid, user_guid or "unknown")
    row: dict[str, Any] = {
        "code_guid": guid_key(ref.get("targetGUID")) if ref is not None else "",
        "start": span[0],
        "end": span[1],
        C.STATUS: "human",
        C.CODER: creator,
        C.SOURCE: creator,
        **HUMAN_DEFAULTS,
    }
    if data and data.get(C.STATUS, "human") in C.STATUSES:  # written by qualcode (and not mangled since)
        if data.get(C.STATUS, "human") != "human":
            row[C.CODER] = ""
            row[C.SOURCE] = None
        row.update({k: data[k] for k in (C.STATUS, C.METHOD, C.EVIDENCE, C.SOURCE, C.CODER) if k in data})
        if isinstance(data.get(C.SCORE), int | float):
            row[C.SCORE] = float(data[C.SCORE])
    if row[C.STATUS] == "human" and row[C.CODER] == QUALCODE_USER:
        row[C.CODER] = row[C.SOURCE] = "unknown"
    return row


def read_qdpx(
    path: str | Path, *, segment_by: str = "auto", limits: Limits | None = None, unit: str | None = None
) -> RefiProject:
    """Read a REFI-QDA project (``.qdpx``) exported by NVivo, ATLAS.ti, MAXQDA, QualCoder,
    Taguette, qualcode or another program.

    Parameters
    ----------
    path
        The ``.qdpx`` file. It is opened as untrusted: unsafe archive entries, zip bombs and
        XML with DTDs or entities are refused (:mod:`qualcode.archive`).
    segment_by
        How the sources are segmented (as :func:`qualcode.read_transcripts`).
    limits
        Caps on the archive's size (:class:`~qualcode.archive.Limits`).
    unit
        Deprecated spelling of ``segment_by``.

    Returns
    -------
    RefiProject
        ``.corpus``, ``.codebook``, ``.codings``, ``.users``, ``.sources``, ``.warnings``.

    Raises
    ------
    RefiError
        The file is not a REFI-QDA project, is damaged, or is unsafe to open.

    Examples
    --------
    >>> import qualcode as qc
    >>> project = qc.read_qdpx("study.qdpx")  # doctest: +SKIP
    >>> qc.cooccurrence(project.codings, measure="jaccard")  # doctest: +SKIP
    """
    if unit is not None:
        from ..settings import deprecated

        deprecated("unit", "segment_by")
        segment_by = unit
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: no such file; check the path")
    with SafeZip(path, limits) as archive:
        return _read_project(ProjectParts(path, archive, project_root(archive, path)), segment_by)


def _case_metadata(
    reader: ProjectParts, by_guid: dict[str, str], variable_names: dict[str, str]
) -> dict[str, dict[str, str]]:
    """Each document's metadata from the cases that hold it: the case's name as
    ``participant`` (unless a variable of that name exists, or the case has no name: MAXQDA and
    Quirkos keep a document's variables in such a case) and its variable values."""
    metadata: dict[str, dict[str, str]] = {doc_id: {} for doc_id in by_guid.values()}
    cases = child(reader.root, "Cases")
    for case in children(cases, "Case") if cases is not None else []:
        values = reader.values(case, variable_names)
        case_name = case.get("name") or guid_key(case.get("guid"))
        if PARTICIPANT not in values and case.get("name"):  # MAXQDA: a case without a name holds file variables
            values = {PARTICIPANT: case_name, **values}
        if children(case, "SelectionRef"):
            reader.warnings.append(
                f"{reader.path}: case {case_name!r} covers parts of sources (SelectionRef); only whole sources get "
                "its metadata"
            )
        for ref in children(case, "SourceRef"):
            doc_id = by_guid.get(guid_key(ref.get("targetGUID")))
            if doc_id is None:
                continue
            for key, value in values.items():
                if key in metadata[doc_id] and metadata[doc_id][key] != value:
                    reader.warnings.append(
                        f"{reader.path}: source {doc_id!r} is in several cases with different {key!r}; kept "
                        f"{metadata[doc_id][key]!r}"
                    )
                    continue
                metadata[doc_id][key] = value
    return metadata


def _read_project(reader: ProjectParts, segment_by: str) -> RefiProject:
    root, path = reader.root, reader.path
    users = reader.users()
    user_names = {str(g): str(n or i or g) for g, i, n in zip(users["guid"], users["id"], users["name"], strict=True)}

    codebook, ids_by_guid = project_codebook(root, path)

    sources_holder = child(root, "Sources")
    text_sources = children(sources_holder, "TextSource") if sources_holder is not None else []
    others = sum(len(children(sources_holder, kind)) for kind in OTHER_SOURCES) if sources_holder is not None else 0
    if others:
        reader.warnings.append(
            f"{path}: {others} PDF, picture, audio or video sources left out; qualcode imports text sources"
        )
    variable_names = reader.variables()
    names = [s.get("name") or guid_key(s.get("guid")) for s in text_sources]
    doc_ids = _doc_ids(names)
    by_guid = {guid_key(s.get("guid")): doc_id for s, doc_id in zip(text_sources, doc_ids, strict=True)}

    metadata = _case_metadata(reader, by_guid, variable_names)

    documents: list[Document] = []
    source_rows: list[dict[str, Any]] = []
    coding_rows: list[dict[str, Any]] = []
    unknown_codes: dict[str, int] = {}
    clamped: dict[str, int] = {}
    for source, doc_id, name in zip(text_sources, doc_ids, names, strict=True):
        raw, text_from = reader.text_of(source, name)
        text, crlf_widths = normalise(raw)
        rows = _selection_rows(reader, source, name, user_names)
        offsets = [v for row in rows for v in (row["start"], row["end"]) if v is not None]
        chosen = choose_unit(text, crlf_widths, offsets, origin=reader.origin)
        if offsets and chosen.name != "characters":
            reader.warnings.append(f"{path}: source {name!r}: selection offsets count {chosen.name}; converted")
        metadata[doc_id].update(reader.values(source, variable_names))
        source_rows.append(
            {
                C.DOC_ID: doc_id,
                "guid": guid_key(source.get("guid")),
                "name": name,
                "chars": len(text),
                "offsets": chosen.name,
                "text_from": text_from,
            }
        )
        if not text.strip():
            reader.warnings.append(
                f"{path}: source {name!r} has no text; left out" + (f" with its {len(rows)} codings" if rows else "")
            )
            continue
        turns, times = _turns(text)
        documents.append(
            Document(doc_id, f"{path}:{name}", "refi", text, turns, times=times, metadata=metadata[doc_id])
        )
        for row in rows:
            code_id = ids_by_guid.get(row.pop("code_guid"))
            if code_id is None:
                unknown_codes[doc_id] = unknown_codes.get(doc_id, 0) + 1
                continue
            start, end = row.pop("start"), row.pop("end")
            if start is None:
                start, end = 0, len(text)
            else:
                chars = chosen.to_chars(np.asarray([start, end]))
                if chars[1] > len(text):
                    clamped[doc_id] = clamped.get(doc_id, 0) + 1
                start, end = int(min(chars[0], len(text))), int(min(chars[1], len(text)))
            if end <= start:
                reader.warnings.append(f"{path}: an empty selection in source {name!r} (code {code_id!r}); left out")
                continue
            coding_rows.append({C.DOC_ID: doc_id, C.START_CHAR: start, C.END_CHAR: end, C.CODE: code_id, **row})
    for doc_id, n in unknown_codes.items():
        reader.warnings.append(f"{path}: {n} codings in {doc_id!r} refer to codes the codebook lacks; left out")
    for doc_id, n in clamped.items():
        reader.warnings.append(
            f"{path}: {n} selections in {doc_id!r} end after the source's text; cut at its end "
            "(check them: the source may have been edited after coding)"
        )

    segments = segment_documents(documents, segment_by=segment_by)
    reader.warnings.extend(segments.attrs.get("notes", []))
    corpus = Corpus(documents, segments, list(reader.warnings), segment_by)
    codings = _codings_table(coding_rows, corpus)
    return RefiProject(
        path=str(path),
        name=root.get("name") or path.stem,
        origin=reader.origin,
        corpus=corpus,
        codebook=codebook,
        codings=codings,
        users=users,
        sources=pd.DataFrame(source_rows, columns=[C.DOC_ID, "guid", "name", "chars", "offsets", "text_from"]),
        warnings=reader.warnings,
    )


def _codings_table(rows: list[dict[str, Any]], corpus: Corpus) -> pd.DataFrame:
    """Selections onto segments by the overlap rule, with the documents' metadata."""
    memos = any(row.get(C.MEMO) for row in rows)  # a memo column only when a selection has a note
    spans = pd.DataFrame(rows, columns=[c for c in [*CODING_COLUMNS, C.MEMO] if c != C.SEGMENT_ID])
    if not memos:
        spans = spans.drop(columns=C.MEMO)
    else:
        spans[C.MEMO] = spans[C.MEMO].fillna("")
    spans[C.START_CHAR] = spans[C.START_CHAR].astype("int64")
    spans[C.END_CHAR] = spans[C.END_CHAR].astype("int64")
    spans[C.SCORE] = pd.to_numeric(spans[C.SCORE]).astype(float)
    pairs = span_segments(spans, corpus.segments)
    table = spans.merge(pairs, left_index=True, right_on="span", how="left").drop(columns="span")
    table[C.SEGMENT_ID] = table[C.SEGMENT_ID].astype("Int64")
    texts = {doc.doc_id: doc.text for doc in corpus.documents}
    table[C.TEXT] = [
        texts[d][a:b] for d, a, b in zip(table[C.DOC_ID], table[C.START_CHAR], table[C.END_CHAR], strict=True)
    ]
    meta = documents_metadata(corpus.documents)
    meta_columns = [c for c in meta.columns if c != C.DOC_ID]
    if meta_columns:
        table = table.merge(meta, on=C.DOC_ID, how="left")
    ordered = (
        [C.DOC_ID, C.SEGMENT_ID, C.START_CHAR, C.END_CHAR, *meta_columns]
        + [c for c in CODING_COLUMNS if c not in (C.DOC_ID, C.SEGMENT_ID, C.START_CHAR, C.END_CHAR)]
        + [C.TEXT]
        + ([C.MEMO] if memos else [])
    )
    table = table[ordered].sort_values(
        [C.DOC_ID, C.START_CHAR, C.END_CHAR, C.CODE, C.CODER, C.SEGMENT_ID], kind="stable"
    )
    return table.reset_index(drop=True)
