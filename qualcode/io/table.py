"""Survey answers and utterance tables from .csv / .xlsx.

Survey form (default): one document per row; ``text_column`` holds the answer,
``id_column`` names the respondent (``<file stem>-<row>`` when absent), every other
column becomes metadata.

Transcript form (``speaker_column`` given): the rows are turns, in order, of one document
per file (or per ``id_column`` value); columns that hold one value for the whole document
are its metadata, the others (a turn number, a label) each segment's own metadata.

``codes_column`` names a column of human codes (separated by ``codes_separator``, ``;`` by
default), or several: each code becomes a human coding of that row's text (``corpus.codings``)
by a coder named after its column, so a coded spreadsheet can train, be evaluated against, or
be compared with another coder, and two coders' columns of one sheet with each other.
"""

from __future__ import annotations

import csv
import io
import re
import shlex
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..code_names import MARKED, UNMARKED, is_indicator, says_no_code
from ..document import Document, Turn
from ..errors import ColumnError, InputFileError, counted, listed
from .base import ReadOptions, register_reader
from .code_columns import asked_columns, code_columns
from .csvtext import check_header, delimiter_of, longer_row
from .decode import normalise_newlines, read_bytes, read_text
from .whisper import read_timed_table

TEXT_CANDIDATES = ("text", "answer", "response", "comment", "utterance", "sentence")
SPEAKER_NAMES = ("speaker", "speaker_name", "speaker name")  # a column that says the rows are turns
ID_CANDIDATES = (
    "doc_id",
    "id",
    "respondent",
    "respondent_id",
    "participant",
    "responseid",  # Qualtrics
    "response_id",
    "respondent id",  # SurveyMonkey
)


INDICATOR_CODER = "human"  # the coder of a sheet's indicator columns (a code each: no coder's name among them)


NOT_TABLES = frozenset(
    {".docx", ".odt", ".pdf", ".doc", ".rtf", ".vtt", ".srt", ".md", ".yaml", ".yml", ".json", ".qdpx", ".qdc"}
    | {".sqlite3", ".sqlite", ".db", ".zip", ".xls"}
)


def read_table(path: Path, encoding: str | None = None, what: str = "a table") -> pd.DataFrame:
    """Read a .csv/.tsv/.xlsx into a DataFrame of strings (empty cells are empty strings);
    ``what`` the file should be, for the error when it is a transcript, a codebook or another
    kind of file (``--train interview.docx``)."""
    suffix = path.suffix.lower()
    if suffix in NOT_TABLES:
        hint = " (an old Excel workbook: save it as .xlsx)" if suffix == ".xls" else ""
        raise InputFileError(f"{path}: expected {what} (.csv, .tsv or .xlsx), not a {suffix} file{hint}")
    if suffix in (".xlsx", ".xlsm"):
        frame = _workbook(path)
        header = _workbook_header(path, frame)
    else:
        text, _, _ = read_text(path, encoding)
        sep = delimiter_of(path, text)
        header = next(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=sep), [])  # as written
        # one column: an empty line is an empty cell (a spreadsheet saves it so); skipped, the
        # rows after it were numbered one row short of where the spreadsheet shows them
        single = len(header) == 1
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)  # cells beyond the header's
                # index_col=False: a row with more cells than the header made its first cells the
                # index, every answer read from the wrong column
                frame = pd.read_csv(
                    io.StringIO(text),
                    dtype=str,
                    sep=sep,
                    engine="python",
                    keep_default_na=False,
                    index_col=False,
                    skip_blank_lines=not single,
                )
        except pd.errors.ParserWarning:
            raise InputFileError(longer_row(text, sep, path)) from None
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeError, csv.Error) as exc:
            if re.match(r"Expected \d+ fields in line \d+, saw \d+", str(exc)):
                raise InputFileError(longer_row(text, sep, path)) from None
            raise InputFileError(f"{path}: not a readable CSV table ({exc}); check its quoting") from None
        if single:  # the empty lines closing the file are no rows
            filled = frame.iloc[:, 0].fillna("").astype(str).str.strip().ne("").to_numpy().nonzero()[0]
            frame = frame.iloc[: filled[-1] + 1 if len(filled) else 0]
    check_header(header, path)  # pandas renames a second `code` column `code.1`
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.fillna("")


def _workbook_header(path: Path, frame: pd.DataFrame) -> list[str]:
    """The header row of the sheet ``frame`` was read from, as written (pandas renames a
    second ``code`` column ``code.1``): read again only when a name could be such a renaming."""
    if not any(re.search(r"\.\d+$", str(c)) for c in frame.columns):
        return [str(c) for c in frame.columns]  # no name pandas could have renamed
    sheet = frame.attrs.get("sheet", 0)
    first = pd.read_excel(path, dtype=object, engine="openpyxl", sheet_name=sheet, header=None, nrows=1)
    return ["" if pd.isna(v) else str(_cell_text(v)) for v in first.iloc[0]] if len(first) else []


def _cell_text(value: Any) -> Any:
    """A workbook cell as the text a CSV of it holds: a date as ``2021-02-11`` (a spreadsheet
    keeps a date typed or read from a CSV as a date, which pandas writes ``2021-02-11
    00:00:00``), a date and time as ``2021-02-11 09:30:00``, a time as ``09:30:00``; numbers
    and words as pandas writes them; an empty cell None (read as an empty string)."""
    import datetime as dt

    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, dt.datetime):  # pandas' Timestamp too
        stamp = value.replace(tzinfo=None)
        if stamp.time() == dt.time(0):
            return stamp.date().isoformat()
        return stamp.isoformat(sep=" ", timespec="seconds" if not stamp.microsecond else "microseconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _workbook(path: Path) -> pd.DataFrame:
    """The one sheet of a workbook that holds rows. Rows on another sheet are never dropped
    unsaid: a sheet with the same columns (answers continued on a second sheet, one wave per
    sheet) is an error, since which sheets make the table only the researcher knows; a sheet
    of other columns (notes, a codebook) is named in a warning."""
    import warnings

    from ..errors import QualcodeWarning

    read_bytes(path)
    try:
        sheets = pd.read_excel(path, dtype=object, engine="openpyxl", sheet_name=None)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise InputFileError(f"{path}: not a readable .xlsx workbook ({exc}); re-save it from Excel") from None
    sheets = {name: table.map(_cell_text) for name, table in sheets.items()}
    filled = {name: frame for name, frame in sheets.items() if len(frame.dropna(how="all"))}
    if not filled:
        return next(iter(sheets.values()))
    (name, frame), *others = filled.items()

    def columns(table: pd.DataFrame) -> list[str]:
        return [str(c).strip() for c in table.columns]

    def rows(table: pd.DataFrame) -> str:
        return counted(len(table.dropna(how="all")), "row")

    same = [other for other, table in others if columns(table) == columns(frame)]
    if same:
        raise InputFileError(
            f"{path}: sheets {listed([f'{n!r} ({rows(filled[n])})' for n in [name, *same]])} have the same "
            "columns, and qualcode reads one table: put their rows in one sheet, or save each sheet as its "
            "own .xlsx or .csv"
        )
    frame.attrs["sheet"] = name
    if others or name != next(iter(sheets)):
        skipped = "; ".join(f"{other!r} ({rows(table)}, other columns)" for other, table in others)
        warnings.warn(
            f"{path}: read sheet {name!r} ({rows(frame)})"
            + (f"; not read: {skipped}: save a sheet as its own file to read it" if skipped else ""),
            QualcodeWarning,
            stacklevel=3,
        )
    return frame


def _pick(
    frame: pd.DataFrame, given: str | None, candidates: Sequence[str], path: Path, what: str, option: str
) -> str | None:
    columns = list(frame.columns)
    if given is not None:
        if given not in columns:
            raise ColumnError(f"{path}: no column {given!r}; columns are: {', '.join(columns)}; pass {option}")
        return given
    lowered = {c.lower(): c for c in columns}
    for candidate in candidates:
        if candidate in lowered:
            return lowered[candidate]
    if what == "text":
        likely = _wordiest(frame)
        hint = f"{option} {shlex.quote(likely)} (its cells hold the most words)" if likely else option
        raise ColumnError(
            f"{path}: no text column found (looked for {', '.join(candidates)}); "
            f"columns are: {', '.join(columns)}; pass {hint}"
        )
    return None


def _wordiest(frame: pd.DataFrame) -> str | None:
    """The column whose filled cells hold the most words on average, when that is prose (five
    words or more): an open-ended question's answers beside a timestamp, an e-mail, a choice."""
    best, most = None, 5.0
    for column in frame.columns:
        cells = frame[column].dropna().astype(str).str.strip()
        cells = cells[cells != ""]
        if len(cells):
            words = float(cells.map(lambda cell: len(cell.split())).mean())
            if words >= most:
                best, most = str(column), words
    return best


IMPORT_ID = '{"ImportId":'  # Qualtrics' third header row: {"ImportId":"QID2_TEXT"}
RESPONSE_ID_LABELS = {"response id", "responseid"}  # Qualtrics' second header row, under ResponseId
SUB_HEADERS = {"response", "open-ended response"}  # SurveyMonkey's second header row


@dataclass
class Headers:
    """What :func:`survey_headers` found: the ``frame`` without a survey tool's header rows,
    the ``note`` saying so, and each column's question text (a Qualtrics export's)."""

    frame: pd.DataFrame
    note: str | None = None
    questions: dict[str, str] = field(default_factory=dict)


def survey_headers(frame: pd.DataFrame, text_col: str, path: Path) -> Headers:
    """``frame`` without the header rows a survey tool writes under the column names: a
    Qualtrics export's question texts and ``{"ImportId": …}`` rows (or, in its older form,
    the question texts alone: ``Response ID`` under ``ResponseId``), a SurveyMonkey export's
    ``Response`` / ``Open-Ended Response`` row. Read as answers, the question itself was coded
    as a respondent's."""
    head = frame.head(2).astype(str)
    asked = {str(c): str(v).strip() for c, v in head.iloc[0].items() if str(v).strip()} if len(head) else {}
    for number in range(len(head)):
        cells = [cell.strip() for cell in head.iloc[number] if cell.strip()]
        if cells and sum(cell.startswith(IMPORT_ID) for cell in cells) * 2 >= len(cells):
            note = (
                f"{path}: a Qualtrics export: its {number + 1} row{'s' * (number > 0)} under the column names "
                "(question texts, import ids) are not answers and were left out"
            )
            return Headers(frame.iloc[number + 1 :], note, asked if number else {})
    if not len(head):
        return Headers(frame)
    first = {str(column).strip().lower(): str(value).strip().lower() for column, value in head.iloc[0].items()}
    if first.get("responseid") in RESPONSE_ID_LABELS:
        note = f"{path}: a Qualtrics export: its row of question texts under the column names is not an answer and was left out"
        return Headers(frame.iloc[1:], note, asked)
    no_respondent = first.get("respondent id", "x") == ""  # the column is there, this row has none
    if first.get(str(text_col).strip().lower()) in SUB_HEADERS and no_respondent:
        note = (
            f"{path}: a SurveyMonkey export: its second header row ({head.iloc[0][text_col]!r} …) is not an answer "
            "and was left out"
        )
        return Headers(frame.iloc[1:], note)
    return Headers(frame)


def _doc_id(values: dict, id_col: str | None, path: Path, row_number: int, seen: set[str]) -> str:
    """A row's document id, unique in its table (``<file stem>-<line>`` without an id column)."""
    doc_id = str(values[id_col]).strip() if id_col else f"{path.stem}-{row_number}"
    if not doc_id:
        raise ColumnError(f"{path}:{row_number}: empty {id_col!r}; fill it in or drop --id-column")
    if doc_id in seen:
        raise ColumnError(f"{path}:{row_number}: {id_col!r} value {doc_id!r} occurs twice; ids must be unique")
    seen.add(doc_id)
    return doc_id


def _questions(headers: Headers, columns: list[str], id_col: str | None, path: Path) -> list[Document]:
    """Several open-ended questions of one survey: one document per respondent, one turn per
    answer, its column as the speaker (``applies_to: {speaker: [Q2_TEXT]}`` limits a code to
    a question) and, from a Qualtrics export, the question's text as the segment's
    ``question``; a respondent who answered none is counted, not a document."""
    frame, texts = headers.frame, headers.questions
    meta_cols = [c for c in frame.columns if c not in {*columns, id_col}]
    docs: list[Document] = []
    seen: set[str] = set()
    blank: list[int] = []
    for index, values in zip(frame.index, frame.to_dict(orient="records"), strict=True):
        row_number = int(index) + 2
        answers = [(column, " ".join(normalise_newlines(str(values[column])).split())) for column in columns]
        answers = [(column, said) for column, said in answers if said]
        if not answers:
            blank.append(row_number)
            continue
        doc_id = _doc_id(values, id_col, path, row_number, seen)
        parts, turns, pos = [], [], 0
        for column, said in answers:
            prefix = f"{column}: "
            asked = {"question": texts[column]} if column in texts else {}
            turns.append(Turn(column, pos + len(prefix), pos + len(prefix) + len(said), asked))
            parts.append(prefix + said)
            pos += len(prefix) + len(said) + 1
        meta = {c: values[c] for c in meta_cols}
        docs.append(
            Document(doc_id, str(path), path.suffix.lower().lstrip("."), "\n".join(parts) + "\n", turns, metadata=meta)
        )
    if not docs:
        raise InputFileError(f"{path}: columns {', '.join(map(repr, columns))} hold no answers")
    if headers.note:
        docs[0].notes.append(headers.note)
    if blank:
        many = len(blank) > 1
        docs[0].notes.append(
            f"{path}: {len(blank)} row{'s' * many} with no answer to any of {', '.join(map(repr, columns))} (line"
            f"{'s' * many} {listed([str(line) for line in blank], 5)}) {'are not documents' if many else 'is not a document'}"
        )
    return docs


def read_table_file(
    path: Path,
    *,
    text_column: str | Sequence[str] | None = None,
    id_column: str | None = None,
    speaker_column: str | None = None,
    encoding: str | None = None,
    codes_column: str | Sequence[str] | None = None,
    codes_separator: str = ";",
) -> list[Document]:
    """Read a survey or utterance table into documents (see module docs)."""
    frame = read_table(path, encoding)
    asked = asked_columns(text_column)
    for column in asked[1:]:
        _pick(frame, column, TEXT_CANDIDATES, path, "text", "--text-column")
    text_col = _pick(frame, asked[0] if asked else None, TEXT_CANDIDATES, path, "text", "--text-column")
    assert text_col is not None
    if len(asked) > 1:
        if speaker_column or codes_column:
            raise ColumnError(
                f"{path}: several --text-column (a survey's questions) cannot go with "
                f"{'--speaker-column' if speaker_column else '--codes-column'}; give one text column"
            )
        id_col = _pick(frame, id_column, ID_CANDIDATES, path, "id", "--id-column")
        return _questions(survey_headers(frame, text_col, path), asked, id_col, path)
    speaker_col = _pick(frame, speaker_column, (), path, "speaker", "--speaker-column") if speaker_column else None
    id_col = _pick(frame, id_column, ID_CANDIDATES if speaker_col is None else (), path, "id", "--id-column")
    code_named = code_columns(frame, codes_column, path, {text_col, id_col, speaker_col})
    codes_cols = list(code_named)
    headers = survey_headers(frame, text_col, path)
    frame, header_note = headers.frame, headers.note
    question = {"question": headers.questions[text_col]} if text_col in headers.questions else {}  # Qualtrics'
    meta_cols = [c for c in frame.columns if c not in {text_col, id_col, speaker_col, *codes_cols}]

    said_none: dict[str, int] = {}  # each "none" written, by how it was written ("1 - None", "n/a")
    indicators = [column for column in codes_cols if is_indicator(frame[column])]  # 1/0: the column is the code

    def codes_of(values: dict, start: int, end: int) -> tuple[list[tuple[int, int, str, str]], list]:
        """The row's codes, and the coders who wrote that no code applies (a judgement: an example)."""
        found, none = [], []
        for column in codes_cols:  # each its own coder, named by the column (two coders; a teacher's and a student's)
            if column in indicators:  # one coder's columns, a code each
                cell = str(values[column] or "").strip().lower()
                if cell in MARKED:
                    found.append((start, end, code_named[column], INDICATOR_CODER))
                elif cell in UNMARKED:
                    none.append((start, end, INDICATOR_CODER))
                continue
            # the separator, or one code per line (Alt+Enter in an Excel cell)
            for code in re.split(f"{re.escape(codes_separator)}|\r?\n", str(values[column] or "")):
                if says_no_code(code):
                    said_none[code.strip()] = said_none.get(code.strip(), 0) + 1
                    none.append((start, end, column))
                elif code.strip():
                    found.append((start, end, code.strip(), column))
        return found, none

    def none_note() -> str:
        written = sorted(said_none, key=lambda v: (-said_none[v], v))
        return (
            f"{path}: {counted(sum(said_none.values()), 'code cell')} of {' and '.join(map(repr, codes_cols))} "
            f"say{'s' * (sum(said_none.values()) == 1)} no code applies ({listed([repr(v) for v in written], 3)}): "
            "read as coded, with no code"
        )

    indicator_note = (
        f"{path}: {counted(len(indicators), 'column')} of 1/0 cells ("
        f"{listed([repr(c) if code_named[c] == c else f'{c!r} as {code_named[c]!r}' for c in indicators], 4)}) read "
        "as a code each (1, x or yes: the row has it; 0 or no: the row was coded without it; empty: not coded)"
        if indicators
        else ""
    )
    docs: list[Document] = []
    if speaker_col is None:
        seen: set[str] = set()
        blank: list[int] = []
        for index, values in zip(frame.index, frame.to_dict(orient="records"), strict=True):
            row_number = int(index) + 2  # the file's line (its header is line 1)
            answer = normalise_newlines(str(values[text_col])).strip()
            if not answer:
                blank.append(row_number)
                continue
            doc_id = _doc_id(values, id_col, path, row_number, seen)
            meta = {c: values[c] for c in meta_cols}
            codes, none = codes_of(values, 0, len(answer))
            docs.append(
                Document(
                    doc_id,
                    str(path),
                    path.suffix.lower().lstrip("."),
                    answer + "\n",
                    [Turn(None, 0, len(answer), question)],
                    metadata=meta,
                    codes=codes,
                    no_codes=none,
                )
            )
        if not docs:
            raise InputFileError(f"{path}: column {text_col!r} has no answers")
        if header_note:
            docs[0].notes.append(header_note)
        if said_none:
            docs[0].notes.append(none_note())
        if indicator_note:
            docs[0].notes.append(indicator_note)
        if blank:  # non-response is a figure of its own: said, not silently dropped
            many = len(blank) > 1
            lines = listed([str(line) for line in blank], 5)
            docs[0].notes.append(
                f"{path}: {len(blank)} row{'s' * many} with an empty {text_col!r} (line{'s' * many} {lines}) "
                f"{'are not documents' if many else 'is not a document'}: left out of counts and shares"
            )
        named = [c for c in meta_cols if str(c).strip().lower() in SPEAKER_NAMES]
        if named:  # rows of one conversation read as separate answers lose who replies to whom
            docs[0].notes.append(
                f"{path}: read as survey answers, one document per row, though column {named[0]!r} names "
                f"speakers; if the rows are turns of a conversation pass --speaker-column {named[0]!r}"
            )
        return docs
    groups = frame.groupby(frame[id_col], sort=False) if id_col else [(path.stem, frame)]
    for key, rows in groups:
        constant = [c for c in meta_cols if rows[c].nunique() == 1]  # the document's metadata
        varying = [c for c in meta_cols if c not in constant]  # each turn's own (a row's turn number, labels)
        parts, turns, codes, none, pos = [], [], [], [], 0
        for row in rows.to_dict(orient="records"):
            said = " ".join(normalise_newlines(str(row[text_col])).split())
            if not said:
                continue
            speaker = str(row[speaker_col]).strip().rstrip(":").strip() or None  # "T1:" and "T1" are one speaker
            prefix = f"{speaker}: " if speaker else ""
            start = pos + len(prefix)
            turns.append(Turn(speaker, start, start + len(said), {c: row[c] for c in varying}))
            found, judged = codes_of(row, start, start + len(said))
            codes += found
            none += judged
            parts.append(prefix + said)
            pos += len(prefix) + len(said) + 1
        if not turns:
            continue
        first = rows.iloc[0]
        meta = {c: first[c] for c in constant}
        docs.append(
            Document(
                str(key),
                str(path),
                path.suffix.lower().lstrip("."),
                "\n".join(parts) + "\n",
                turns,
                metadata=meta,
                codes=codes,
                no_codes=none,
            )
        )
    if not docs:
        raise InputFileError(f"{path}: column {text_col!r} has no text")
    if header_note:
        docs[0].notes.append(header_note)
    if said_none:
        docs[0].notes.append(none_note())
    if indicator_note:
        docs[0].notes.append(indicator_note)
    return docs


@register_reader(".csv", ".tsv", ".xlsx", name="table", table=True)
def _read(path: Path, options: ReadOptions) -> list[Document]:
    timed = read_timed_table(path, options)  # Whisper's .tsv, whisper.cpp's .csv: one recording
    if timed is not None:
        return timed
    return read_table_file(
        path,
        text_column=options.text_column,
        id_column=options.id_column,
        speaker_column=options.speaker_column,
        encoding=options.encoding,
        codes_column=options.codes_column,
        codes_separator=options.codes_separator,
    )
