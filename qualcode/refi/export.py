"""Writing REFI-QDA: a project (``.qdpx``) and a codebook (``.qdc``).

A ``.qdpx`` is a zip holding ``project.qde`` (XML, valid against the REFI-QDA 1.0 project
schema) and each document's plain text as ``Sources/<guid>.txt`` (UTF-8). In it:

- the codebook as nested ``Code`` elements with colours (see :mod:`qualcode.refi.codes`);
- every coder as a ``User``, and qualcode itself as the user who made the suggestions;
- participants as ``Cases`` (one per value of the ``participant`` column, holding its
  documents); metadata the same for all of a participant's documents (role, district …) as
  the case's ``VariableValue``; metadata that differs between its documents on the source;
- each coding as a ``PlainTextSelection`` with character offsets and one ``Coding``; a
  suggestion's status, score, method and evidence in the selection's description, and the
  researcher's note on it (a ``memo`` column) as the description's text.

Output is deterministic: GUIDs are uuid5 of the objects' ids, no timestamps are written, and
the zip's entries have fixed dates, so the same inputs give the same bytes.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .. import columns as C
from ..codebook import Codebook
from ..codings import check_codings, codes_as_ids
from ..corpus import Corpus
from ..document import Document
from ..errors import ColumnError, RefiError, require_table
from ..fileio import atomic_write
from ..review import with_status
from ..version import __version__
from .codes import code_elements, code_guid
from .guard import check_replaceable
from .schema import CODEBOOK_NS, PROJECT_NS, XSI_NS, guid, pack_description, schema_errors, xml_text

QUALCODE_USER = "qualcode"
PARTICIPANT = C.PARTICIPANT
HUMAN_DEFAULTS: dict[str, Any] = {C.METHOD: "human", C.SCORE: 1.0, C.EVIDENCE: "human code"}
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _maker(namespace: str) -> Any:
    from lxml import etree

    def make(parent: Any, tag: str, **attrs: Any) -> Any:
        clean = {key: str(value) for key, value in attrs.items() if value is not None}
        if parent is None:
            return etree.Element(f"{{{namespace}}}{tag}", clean, nsmap={None: namespace, "xsi": XSI_NS})
        return etree.SubElement(parent, f"{{{namespace}}}{tag}", clean)

    return make


def _serialise(root: Any) -> bytes:
    from lxml import etree

    body: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)
    return body


def codings_to_spans(
    codings: pd.DataFrame | None,
    corpus: Corpus,
    codebook: Codebook,
    *,
    include_rejected: bool = False,
) -> pd.DataFrame:
    """The codings to export, one row per (document, span, code, coder), checked against the
    corpus and the codebook. Offsets come from ``start_char``/``end_char``, or from the
    segments when the table has only ``segment_id``."""
    columns = [C.DOC_ID, C.START_CHAR, C.END_CHAR, C.CODE, C.STATUS, C.CODER, C.METHOD, C.SCORE, C.EVIDENCE, C.SOURCE]
    if codings is None or codings.empty:
        return pd.DataFrame(columns=columns)
    table = codings.copy()
    for column in (C.DOC_ID, C.CODE):
        if column not in table.columns:
            raise ColumnError(f"codings lack column {column!r}; columns are: {', '.join(map(str, table.columns))}")
    if C.START_CHAR not in table.columns or C.END_CHAR not in table.columns:
        if C.SEGMENT_ID not in table.columns:
            raise ColumnError("codings need start_char and end_char, or segment_id; give a codings table from qualcode")
        offsets = corpus.segments[[C.DOC_ID, C.SEGMENT_ID, C.START_CHAR, C.END_CHAR]]
        table = table.merge(offsets, on=[C.DOC_ID, C.SEGMENT_ID], how="left")
        if table[C.START_CHAR].isna().any():
            row = table[table[C.START_CHAR].isna()].iloc[0]
            raise ColumnError(
                f"codings name segment {row[C.SEGMENT_ID]} of {row[C.DOC_ID]!r}, which the transcripts do not have; "
                "segment the transcripts with the unit the codings were made with"
            )
    table[C.START_CHAR] = table[C.START_CHAR].astype("int64")
    table[C.END_CHAR] = table[C.END_CHAR].astype("int64")
    table[C.DOC_ID] = table[C.DOC_ID].astype(str)
    table = codes_as_ids(table.assign(**{C.CODE: table[C.CODE].astype(str)}), codebook)
    check_codings(table, codebook, {doc.doc_id: doc.text for doc in corpus.documents})
    if C.STATUS not in table.columns and C.METHOD not in table.columns:  # human codings (qc.read_codings)
        table[C.STATUS] = "human"
    table = with_status(table)
    if not include_rejected:
        table = table[table[C.STATUS] != "rejected"].copy()
    human = table[C.STATUS].eq("human")
    for column, default in HUMAN_DEFAULTS.items():
        if column not in table.columns:
            table[column] = None
        table.loc[human, column] = table.loc[human, column].where(table.loc[human, column].notna(), default)
    if C.SOURCE not in table.columns:
        table[C.SOURCE] = None
    table.loc[human & table[C.CODER].eq(""), C.CODER] = "human"
    table[C.MEMO] = table[C.MEMO].map(_memo) if C.MEMO in table.columns else ""
    keys = list(C.CODING_KEY)
    table = table[[*columns, C.MEMO]].drop_duplicates(subset=keys, keep="first")
    return table.sort_values(keys, kind="stable").reset_index(drop=True)


def _creator(row: pd.Series) -> str:
    """The user who made a coding: the coder for human and accepted rows, qualcode otherwise."""
    if row[C.STATUS] in ("human", "accepted") and row[C.CODER]:
        return str(row[C.CODER])
    return QUALCODE_USER


def _memo(value: Any) -> str:
    """A memo cell as text ('' for an empty or missing one)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def _selection_description(row: pd.Series) -> str:
    """What a selection's description holds: the researcher's memo for people to read, and
    qualcode's block (status, score, evidence of a suggestion; the memo again, so that it comes
    back apart from qualcode's own words)."""
    memo = _memo(row.get(C.MEMO))
    data: dict[str, Any] = {}
    is_human = row[C.STATUS] == "human"
    for column in (C.STATUS, C.METHOD, C.SCORE, C.EVIDENCE, C.SOURCE, C.CODER):
        value = row[column]
        if value is None or (isinstance(value, float) and pd.isna(value)):
            continue
        value = float(value) if column == C.SCORE else str(value)
        if is_human and (column == C.STATUS or HUMAN_DEFAULTS.get(column) == value):
            continue
        if is_human and column in (C.CODER, C.SOURCE) and value == row[C.CODER]:
            continue
        data[column] = value
    if is_human:  # a memo alone is the description, as another program's coder would write it
        return pack_description(memo, {**data, C.MEMO: memo} if data and memo else data)
    score = f", score {float(row[C.SCORE]):.2f}" if pd.notna(row[C.SCORE]) else ""
    who = f" ({row[C.STATUS]} by {row[C.CODER]})" if row[C.STATUS] != "suggested" and row[C.CODER] else ""
    text = f"Suggested by qualcode ({row[C.METHOD]}{score}){who}."
    if memo:
        text, data[C.MEMO] = f"{text}\n\n{memo}", memo
    return pack_description(text, data)


def _metadata_split(documents: Sequence[Document]) -> tuple[dict[str, list[Document]], list[str], list[str]]:
    """Participants → their documents; metadata keys held by cases and by sources."""
    keys = list(dict.fromkeys(key for doc in documents for key in doc.metadata if key != PARTICIPANT))
    cases: dict[str, list[Document]] = {}
    for doc in documents:
        participant = _value(doc, PARTICIPANT)
        if participant.strip():
            cases.setdefault(participant, []).append(doc)
    # a key is the case's when every document has a participant and the key's value is the same
    # in all of a participant's documents; otherwise each source holds its own value
    everyone = sum(len(docs) for docs in cases.values()) == len(documents)
    case_keys = [
        key
        for key in keys
        if cases and everyone and all(len({_value(doc, key) for doc in docs}) == 1 for docs in cases.values())
    ]
    return cases, case_keys, [key for key in keys if key not in case_keys]


def _value(doc: Document, key: str) -> str:
    value = doc.metadata.get(key)
    return "" if value is None else str(value)


def _variable_value(make: Any, parent: Any, key: str, value: str) -> None:
    holder = make(parent, "VariableValue")
    make(holder, "VariableRef", targetGUID=guid("variable", key))
    make(holder, "TextValue").text = xml_text(value)


def project_xml(
    corpus: Corpus, codebook: Codebook, spans: pd.DataFrame, *, name: str | None = None
) -> tuple[bytes, dict[str, bytes]]:
    """``project.qde`` and the source files (``Sources/<guid>.txt`` → bytes) of a project."""
    make = _maker(PROJECT_NS)
    root = make(
        None,
        "Project",
        name=xml_text(name or codebook.name),
        origin=f"qualcode {__version__}",
        creatingUserGUID=guid("user", QUALCODE_USER),
    )
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{PROJECT_NS} Project.xsd")
    coders = sorted(set(spans.apply(_creator, axis=1)) if len(spans) else set()) or []
    users = make(root, "Users")
    for user in [QUALCODE_USER, *[c for c in coders if c != QUALCODE_USER]]:
        make(users, "User", guid=guid("user", user), name=xml_text(user), id=xml_text(user))
    code_elements(codebook, make(make(root, "CodeBook"), "Codes"), make)

    documents = corpus.documents
    cases, case_keys, source_keys = _metadata_split(documents)
    all_keys = [*case_keys, *source_keys]
    if all_keys:
        variables = make(root, "Variables")
        for key in all_keys:
            make(variables, "Variable", guid=guid("variable", key), name=xml_text(key), typeOfVariable="Text")
    if cases:
        case_root = make(root, "Cases")
        for participant, docs in cases.items():
            case = make(case_root, "Case", guid=guid("case", participant), name=xml_text(participant))
            for key in case_keys:
                _variable_value(make, case, key, _value(docs[0], key))
            for doc in docs:
                make(case, "SourceRef", targetGUID=guid("source", doc.doc_id))

    files: dict[str, bytes] = {}
    by_doc = {doc_id: group for doc_id, group in spans.groupby(C.DOC_ID, sort=False)} if len(spans) else {}
    sources = make(root, "Sources")
    for doc in documents:
        source_guid = guid("source", doc.doc_id)
        files[f"Sources/{source_guid}.txt"] = doc.text.encode("utf-8")
        source = make(
            sources,
            "TextSource",
            guid=source_guid,
            name=xml_text(doc.doc_id),
            plainTextPath=f"internal://{source_guid}.txt",
            creatingUser=guid("user", QUALCODE_USER),
        )
        for _, row in by_doc.get(doc.doc_id, pd.DataFrame()).iterrows():
            start, end = int(row[C.START_CHAR]), int(row[C.END_CHAR])
            span_key = (doc.doc_id, start, end, row[C.CODE], row[C.CODER])
            creator = guid("user", _creator(row))
            selection = make(
                source,
                "PlainTextSelection",
                guid=guid("selection", *span_key),
                name=xml_text(doc.text[start:end][:60]),
                startPosition=start,
                endPosition=end,
                creatingUser=creator,
            )
            description = _selection_description(row)
            if description:
                make(selection, "Description").text = xml_text(description)
            coding = make(selection, "Coding", guid=guid("coding", *span_key), creatingUser=creator)
            make(coding, "CodeRef", targetGUID=code_guid(str(row[C.CODE])))
        for key in source_keys:
            if key in doc.metadata:
                _variable_value(make, source, key, _value(doc, key))
    codebook_meta = {"name": codebook.name, "version": codebook.version, "description": codebook.description}
    make(root, "Description").text = xml_text(
        pack_description(f"Exported by qualcode {__version__}.", {"codebook": codebook_meta})
    )
    return _serialise(root), files


def to_qdpx(
    corpus: Corpus,
    codebook: Codebook,
    codings: pd.DataFrame | None,
    path: str | Path,
    *,
    include_rejected: bool = False,
    name: str | None = None,
) -> Path:
    """Write a REFI-QDA project (``.qdpx``) that NVivo, ATLAS.ti, MAXQDA, QualCoder and others open.

    Parameters
    ----------
    corpus
        The transcripts (``qc.read_transcripts``): their text and metadata.
    codebook
        The codebook; every code of ``codings`` must be in it.
    codings
        A codings table (``qc.suggest``, ``qc.read_coded``, human codes …) with ``doc_id``,
        ``code`` and ``start_char``/``end_char`` or ``segment_id``; optional ``status``,
        ``coder``, ``score``, ``method``, ``evidence``. A table with neither ``status`` nor
        ``method`` (human codings from :func:`qualcode.read_codings`) is human codes.
        ``None`` for a project without codings.
    path
        The ``.qdpx`` file to write (atomically).
    include_rejected
        Also export suggestions a reviewer rejected (left out by default, since other programs
        would show them as codings).
    name
        The project's name (default: the codebook's).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import qualcode as qc
    >>> corpus = qc.read_transcripts("examples/interviews", metadata="examples/interviews/participants.csv")
    >>> codebook = qc.load_codebook("codebooks/caring_schools.yaml")
    >>> coded = qc.suggest(corpus, codebook, method="keyword")  # doctest: +SKIP
    >>> qc.to_qdpx(corpus, codebook, coded, "study.qdpx")  # doctest: +SKIP
    """
    return written_qdpx(corpus, codebook, codings, path, include_rejected=include_rejected, name=name)[0]


def written_qdpx(
    corpus: Corpus,
    codebook: Codebook,
    codings: pd.DataFrame | None,
    path: str | Path,
    *,
    include_rejected: bool = False,
    name: str | None = None,
) -> tuple[Path, int]:
    """:func:`to_qdpx`, and how many codings the project holds (one per passage, code and
    coder), counted from the spans written rather than computed again."""
    if codings is not None:
        require_table(
            codings, "codings", "read the file first, qc.read_coded(PATH) (or qualcode export-refi CODED.csv)"
        )
    check_replaceable(path)
    spans = codings_to_spans(codings, corpus, codebook, include_rejected=include_rejected)
    project, files = project_xml(corpus, codebook, spans, name=name)
    problems = schema_errors(project)
    if problems:  # a bug in qualcode, never the user's input: refuse to write a file others cannot open
        raise RefiError(f"{path}: the project qualcode built breaks the REFI-QDA schema ({problems[0]}); not written")

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w") as archive:
            for member, data in [("project.qde", project), *files.items()]:
                info = zipfile.ZipInfo(member, date_time=_ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)

    return atomic_write(path, write), len(spans)


def qdc_xml(codebook: Codebook) -> bytes:
    """A REFI-QDA codebook document (``.qdc``)."""
    make = _maker(CODEBOOK_NS)
    root = make(None, "CodeBook", origin=f"qualcode {__version__}")
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{CODEBOOK_NS} Codebook.xsd")
    code_elements(codebook, make(root, "Codes"), make)
    return _serialise(root)


def to_qdc(codebook: Codebook, path: str | Path) -> Path:
    """Write a codebook as a REFI-QDA codebook file (``.qdc``), atomically.

    Codes keep their hierarchy, labels, descriptions and colours; qualcode's own fields
    (id, keywords, examples …) travel in the descriptions, so :func:`read_qdc` restores the
    codebook exactly (its name comes from the file name).
    """
    check_replaceable(path)
    data = qdc_xml(codebook)

    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    return atomic_write(path, write)
