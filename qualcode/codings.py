"""Human codings: reading them and mapping them onto segments.

These forms are read:

- span form: ``doc_id, start_char, end_char, code`` (optional ``coder``), offsets into the
  document text qualcode keeps (see :meth:`qualcode.Corpus.text`);
- segment form: ``doc_id, segment_id, code`` (optional ``coder``);
- sheet form (the sheet ``qualcode next`` writes): ``doc_id, segment_id, codes`` with the
  codes a researcher applied separated by ``;`` (or ``,``, or one per line) and ``none`` or an **empty cell meaning "none of the
  codes applies"** (:data:`NO_CODE`): every row is a coded segment, and the rows with no code are negative
  examples. Their keys are in ``codings.attrs["labelled_segments"]``;
- excerpt form: a document, a code and the coded words (Taguette's highlights export
  ``document, tag, content``, MAXQDA's coded segments, ATLAS.ti's quotations): read as they
  are, then found in the transcripts' texts by :func:`qualcode.excerpts.place_excerpts`.

The overlap rule
----------------
A human span codes a segment when their overlap covers **at least half of the segment or at
least half of the span**. A long span therefore codes every segment it mostly covers, and a
short span (a phrase) codes the segment that contains it. The same rule serves the
classifier's training, agreement and every other place spans meet segments.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import columns as C
from .code_names import NO_CODE as NO_CODE  # re-exported: the sheet form's "none"
from .code_names import says_no_code, unknown_codes, unnumbered
from .codebook import Codebook, name_key
from .document import nfc
from .errors import ColumnError, InputFileError, NoHumanCodesError

CODER = C.CODER
OVERLAP = 0.5
DEFAULT_CODER = "human"  # the coder of codings that name none


def read_codings(
    path: str | Path, *, default_coder: str = DEFAULT_CODER, read_apart: Sequence[str | Path] = ()
) -> pd.DataFrame:
    """Read human codings from a CSV in span or segment form, a filled-in ``next`` sheet,
    excerpts (the coded words; placed in the texts later, see :mod:`qualcode.excerpts`), or a
    Word transcript coded with comments (:mod:`qualcode.word_comments`).

    From a table qualcode wrote (``tag``, ``review``, ``import``: ``method`` and ``score``
    columns), only its ``accepted`` and ``human`` rows: suggestions not reviewed and the ones
    rejected are not a person's codes (they are left out with a warning; a table without a
    human or accepted row is an error). Its human rows copied from one of ``read_apart`` (their
    evidence names the file, :mod:`qualcode.origins`) are left out: that file is read on its
    own, and a ``next`` sheet's copies would make their whole documents examples.

    Returns
    -------
    pandas.DataFrame
        ``doc_id, start_char, end_char, code, coder`` (span form) or
        ``doc_id, segment_id, code, coder`` (segment form) or
        ``doc_id, code, coder, excerpt, line`` (excerpt form); ``coder`` filled with
        ``default_coder`` where absent.

    Raises
    ------
    ColumnError
        Neither form's columns are present, or offsets are not whole numbers.
    NoHumanCodesError
        The table has no row, or (one qualcode wrote) only suggestions nobody reviewed.
    """
    from .excerpts import excerpt_form, read_excerpts
    from .io.table import read_table

    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path}: no such file; check the path")
    from .word_comments import SUFFIXES, comment_codings

    if path.suffix.lower() in SUFFIXES and path.is_file():  # a transcript coded with comments
        return comment_codings(path, default_coder)
    if path.is_dir():  # transcripts given where codings go (`agree a.csv b.csv iv/`)
        raise InputFileError(
            f"{path}: is a folder, not a codings file; give a codings CSV here (transcripts are given as inputs: "
            "tag's INPUTS, agree's and evaluate's --inputs)"
        )
    from .io.writers import restore
    from .origins import copied_from, rebased

    table = restore(read_table(path, what="a table of codings"))
    if table.empty:  # a header and no row: nobody has coded anything in it yet
        error = NoHumanCodesError(
            f"{path}: holds no rows, so no human codes; code some segments first (a qualcode next sheet, or a "
            "coder's export), or leave this file out"
        )
        error.empty = True
        raise error
    table = rebased(table, path) if read_apart else table
    copies = copied_from(table, read_apart)
    frame = _human_only(table[~copies], path, copies=int(copies.sum()))
    span_cols = [C.DOC_ID, C.START_CHAR, C.END_CHAR, C.CODE]
    seg_cols = [C.DOC_ID, C.SEGMENT_ID, C.CODE]
    if C.CODE not in frame.columns and all(c in frame.columns for c in (C.DOC_ID, C.SEGMENT_ID, SHEET_CODES)):
        return _read_sheet(frame, path, default_coder)
    if all(c in frame.columns for c in span_cols):
        cols, ints = span_cols, [C.START_CHAR, C.END_CHAR]
    elif all(c in frame.columns for c in seg_cols):
        cols, ints = seg_cols, [C.SEGMENT_ID]
    elif (words := excerpt_form([str(c) for c in frame.columns])) is not None:
        return read_excerpts(frame, path, words, default_coder)  # placed in the texts by place_excerpts
    else:
        from .io.coded import check_not_wide

        check_not_wide(frame, path)
        from .io.table import TEXT_CANDIDATES

        texts = [str(c) for c in frame.columns if str(c).strip().lower() in TEXT_CANDIDATES]
        sheet = (  # texts with their codes beside them: a coded sheet, read as transcripts
            f"; a coded sheet (texts in {texts[0]!r}, codes beside them) is read with --codes-column naming its "
            f"column of codes: as an input of tag, beside the sheet to code (qualcode tag NEW.csv {path} "
            f"--text-column {texts[0]!r} --codes-column COLUMN: its coded rows teach the model, and a sheet without "
            "that column is read as not coded yet), or as evaluate's --gold"
            if texts
            else ""
        )
        raise ColumnError(
            f"{path}: codings need columns {', '.join(span_cols)} (span form), {', '.join(seg_cols)} "
            f"(segment form) or document, code and the coded words (excerpt form: e.g. Taguette's document, tag, "
            f"content); columns are: {', '.join(frame.columns)}{sheet}"
        )
    out = frame[cols].copy()
    out[CODER] = frame[CODER].where(frame[CODER].str.strip() != "", default_coder) if CODER in frame else default_coder

    def line(bad: pd.Series) -> int:  # the file's line of the first bad row (its header is line 1)
        return int(out.index[int(np.flatnonzero(bad.to_numpy())[0])]) + 2

    for column in (C.DOC_ID, C.CODE):
        empty = out[column].str.strip() == ""
        if empty.any():
            raise ColumnError(f"{path}:{line(empty)}: {column} is empty; fill it in or delete the row")
    for column in ints:
        numbers = pd.to_numeric(out[column].str.strip(), errors="coerce")
        bad = numbers.isna() | (numbers % 1 != 0)
        if column == C.SEGMENT_ID and bad.any():
            # another tool's ids (a survey's ResponseId, "d1-1"): kept as text, compared as text
            out[column] = out[column].str.strip()
            continue
        if bad.any():
            row = line(bad)
            raise ColumnError(f"{path}:{row}: {column} {frame[column].loc[row - 2]!r} is not a whole number")
        out[column] = numbers.astype("int64")
    if C.START_CHAR in cols:
        backwards = out[C.END_CHAR] <= out[C.START_CHAR]
        if backwards.any():
            row = line(backwards)
            start, end = (
                out[C.START_CHAR].to_numpy()[backwards.to_numpy()][0],
                out[C.END_CHAR].to_numpy()[backwards.to_numpy()][0],
            )
            raise ColumnError(
                f"{path}:{row}: span {start}-{end} ends where or before it starts; end_char is the offset after "
                "the passage's last character"
            )
    out = out.reset_index(drop=True)
    out[C.DOC_ID] = out[C.DOC_ID].str.strip().map(nfc)  # as document ids are (a Mac's file names are NFD)
    out[C.CODE] = out[C.CODE].str.strip()
    out.attrs["source"] = str(path)
    out.attrs["left_out"] = frame.attrs.get("left_out", {})
    out.attrs["copies"] = frame.attrs.get("copies", 0)
    if "labelled_segments" in frame.attrs:
        out.attrs["labelled_segments"] = frame.attrs["labelled_segments"]
    return out


HUMAN_STATUSES = ("human", "accepted")  # the rows of a qualcode codings table that are human codes


def _human_only(frame: pd.DataFrame, path: Path, copies: int = 0) -> pd.DataFrame:
    """The human codes of a table: all its rows, unless it is a qualcode codings table (with
    the ``method`` and ``score`` columns ``tag``, ``review`` and ``import`` write), whose
    ``human`` and ``accepted`` rows only are codes a person applied or confirmed. Its
    suggestions not yet reviewed and the ones a reviewer rejected are not human codes:
    read as such, ``tag --train coded.csv`` learned qualcode's own guesses (rejected ones
    too) as a person's. ``.attrs["left_out"]`` counts them by status. A table holding no
    human or accepted row at all is an error naming what to do."""
    if C.METHOD not in frame.columns or C.SCORE not in frame.columns:  # not a table qualcode wrote
        return frame
    from .review import with_status

    try:
        status = with_status(frame)[C.STATUS]
    except ColumnError as error:
        raise ColumnError(f"{path}: {error}") from None
    human = status.isin(HUMAN_STATUSES).to_numpy()
    left = status[~human].value_counts()
    if copies and not human.any():  # its codes are all in the files read apart
        out = frame.iloc[:0]
        out.attrs["copies"] = copies
        return out
    if len(frame) and not human.any():
        counted = ", ".join(f"{int(n)} {name}" for name, n in sorted(left.items()))
        fix = (  # every suggestion rejected: reviewed, and no code a person applied or confirmed
            "accept the ones that hold (qualcode review, status accepted), or give a file of human codes"
            if set(left.index) == {"rejected"}
            else "review them first (qualcode review, status accepted), or give a file of human codes"
        )
        raise NoHumanCodesError(
            f"{path}: no human codes: its rows are qualcode's suggestions ({counted}), not a person's; {fix}"
        )
    out = frame[human]  # its index: the rows' places in the file, for errors naming them
    out.attrs["copies"] = copies
    out.attrs["left_out"] = {str(name): int(n) for name, n in sorted(left.items())}
    reviewed = status.isin(["accepted", "rejected"]).to_numpy()
    if reviewed.any() and C.SEGMENT_ID in frame.columns:
        # reviewed suggestions label the segments a reviewer looked at, not whole documents:
        # a segment nobody reviewed is not a negative example (as for a next sheet)
        looked = frame[(reviewed | status.eq("human").to_numpy())]
        ids = pd.to_numeric(looked[C.SEGMENT_ID], errors="coerce")
        keys = {(str(d).strip(), int(i)) for d, i in zip(looked[C.DOC_ID], ids, strict=True) if pd.notna(i)}
        out.attrs["labelled_segments"] = sorted(keys)
    if len(left):
        import warnings

        from .errors import QualcodeWarning

        counted = " and ".join(f"{int(n)} {name}" for name, n in sorted(left.items()))
        warnings.warn(
            QualcodeWarning(
                f"{path}: read as human codes: its {int(human.sum())} human or accepted rows; its {counted} "
                "rows are qualcode's suggestions, not a person's codes, and were left out"
            ),
            stacklevel=3,
        )
    return out


def holds_human_codes(path: str | Path) -> bool:
    """Whether a codings file holds a code a person applied or confirmed: any table but a
    qualcode codings table (a sheet, another program's export) does; a ``tag`` output only
    with ``human`` or ``accepted`` rows. A table that cannot be read says so when it is read."""
    from .io.table import read_table
    from .review import with_status

    try:
        frame = read_table(Path(path), what="a codings table")
        if C.METHOD not in frame.columns or C.SCORE not in frame.columns:
            return True
        return bool(with_status(frame)[C.STATUS].isin(HUMAN_STATUSES).any())
    except (InputFileError, ColumnError):
        return True


SHEET_CODES = "codes"


def _read_sheet(frame: pd.DataFrame, path: Path, default_coder: str) -> pd.DataFrame:
    """Codings from a filled-in ``qualcode next`` sheet (see the module docs)."""
    rows, labelled = [], []
    said_none: set[tuple[str, int]] = set()
    for number, record in enumerate(frame.to_dict("records"), start=2):
        doc_id = nfc(str(record[C.DOC_ID]).strip())
        raw = str(record[C.SEGMENT_ID]).strip()
        if not raw.lstrip("-").isdigit():
            raise ColumnError(f"{path}:{number}: segment_id {raw!r} is not a whole number")
        segment_id = int(raw)
        labelled.append((doc_id, segment_id))
        coder = str(record.get(CODER) or "").strip() or default_coder
        cell = str(record[SHEET_CODES] or "")
        if says_no_code(cell):
            said_none.add((doc_id, segment_id))
            continue
        for code in re.split(r"[;,\r\n]", cell):  # "a; b", "a, b", or one per line (Alt+Enter in Excel)
            if code.strip():
                rows.append({C.DOC_ID: doc_id, C.SEGMENT_ID: segment_id, C.CODE: code.strip(), CODER: coder})
    out = pd.DataFrame(rows, columns=[C.DOC_ID, C.SEGMENT_ID, C.CODE, CODER])
    out[C.SEGMENT_ID] = out[C.SEGMENT_ID].astype("int64")
    blank = len(set(labelled) - set(zip(out[C.DOC_ID], out[C.SEGMENT_ID], strict=True)) - said_none)
    if blank:  # the convention, said where it decides what the model learns
        import warnings

        from .errors import QualcodeWarning

        warnings.warn(
            QualcodeWarning(
                f"{path}: {blank} of its {len(labelled)} rows {'has' if blank == 1 else 'have'} no code: read as 'no code applies' (examples of "
                "none); delete the rows you have not coded yet, or write none in them to say so"
            ),
            stacklevel=3,
        )
    out.attrs["source"] = str(path)
    out.attrs["labelled_segments"] = labelled
    return out


def closest_code(name: str, codebook: Codebook) -> str | None:
    """The codebook's id that ``name`` most likely means: the same id or label in other
    letter case, or a close spelling (difflib, ratio 0.8); None when nothing is close."""
    import difflib

    names = {code.lower(): code for code in codebook.ids}
    names.update({codebook.get(code).label.lower(): code for code in codebook.ids if codebook.get(code).label})
    wanted = name.strip().lower()
    if wanted in names:
        return names[wanted]
    match = difflib.get_close_matches(wanted, sorted(names), n=1, cutoff=0.8)
    return names[match[0]] if match else None


def codes_as_ids(codings: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """``codings`` with each code written as its codebook id: a code typed as a code's label
    (``artistic experience`` for ``artistic_experience``, as a researcher fills in a sheet
    from a codebook table) or as an id or label in other letter case or spacing (``Covid
    lessons`` for ``covid_lessons``) is the code it names, when it names exactly one; so is a
    name a code had before (its ``formerly``: a code renamed, or codes merged into one); so is a
    code's path as other tools export it (``Framework lenses\\Street-level bureaucracy``,
    ``Nodes\\Lenses\\…``, ``A > B``, ``A::B``) when its last part names one code whose
    parent is the part before, if that names a code; so is a numbered name, as coding sheets
    number their codes (``8 - Press for Accuracy``, ``1.2 Staffing``). Anything else is left for
    :func:`check_codings`."""
    if C.CODE not in codings.columns or codings.empty:
        return codings
    known = set(codebook.ids)
    values = codings[C.CODE].astype(str)
    if set(values) <= known:  # every code written as its id already
        return codings
    codes = [code for code, _, _ in codebook.walk()]
    named: dict[str, set[str]] = {}
    for code in codes:
        for name in (code.id, code.label or ""):
            if name.strip():
                named.setdefault(name_key(name), set()).add(code.id)
    for code in codes:  # a name the code had before (renamed, or merged into it)
        for name in code.formerly:
            if name_key(name) not in named:
                named[name_key(name)] = {code.id}

    def one(name: str) -> str | None:
        ids = named.get(name_key(name), set())
        return next(iter(ids)) if len(ids) == 1 else None

    mapping = {}
    for value in set(values) - known:
        found = one(value)
        if found is None and unnumbered(value) != value.strip():  # "8 - Press for Accuracy", "1.2 Staffing"
            found = one(unnumbered(value))
        parts = [part for part in re.split(r"\\|\s+>\s+|::", value) if part.strip()]
        if found is None and len(parts) > 1:  # a code's path, as MAXQDA (Parent\Child) or NVivo export it
            found = one(parts[-1])
            parent = one(parts[-2])
            if found is not None and parent is not None and codebook.parent_of(found) != parent:
                found = None  # the path names another tree than the codebook's
        if found is not None:
            mapping[value] = found
    if not mapping:
        return codings
    out = codings.copy()
    out[C.CODE] = values.map(lambda v: mapping.get(v, v))
    out.attrs = dict(codings.attrs)
    return out


def check_codings(codings: pd.DataFrame, codebook: Codebook, texts: dict[str, str], *, source: str = "codings") -> None:
    """Refuse codings that name unknown codes or documents, or offsets outside the document.

    Raises
    ------
    ColumnError
        With the first offending row and the fix.
    """
    source = codings.attrs.get("source", source)
    known = set(codebook.ids)
    unknown = codings[C.CODE][~codings[C.CODE].isin(known)].astype(str)
    if len(unknown):
        rows = {str(code): int(n) for code, n in unknown.value_counts().items()}
        raise ColumnError(f"{source}: {unknown_codes(rows, codebook)}")
    missing = sorted(set(codings[C.DOC_ID]) - set(texts))
    if missing:
        more = f" (nor {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise ColumnError(
            f"{source}: document {missing[0]!r}{more} is not among the inputs; documents are: "
            f"{', '.join(sorted(texts)[:8])}{' …' if len(texts) > 8 else ''}; give the transcripts these codes were made "
            "on as inputs too"
        )
    if C.START_CHAR in codings:
        lengths = codings[C.DOC_ID].map(lambda d: len(texts[d]))
        bad = (
            (codings[C.START_CHAR] < 0)
            | (codings[C.END_CHAR] <= codings[C.START_CHAR])
            | (codings[C.END_CHAR] > lengths)
        )
        if bad.any():
            row = codings[bad].iloc[0]
            raise ColumnError(
                f"{source}: span {int(row[C.START_CHAR])}-{int(row[C.END_CHAR])} of {row[C.DOC_ID]!r} is outside "
                f"the document (0-{len(texts[row[C.DOC_ID]])}); offsets index the text qualcode keeps "
                "(qc.read_transcripts(...).text(doc_id))"
            )


def map_to_segments(codings: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Human codings onto segments: ``doc_id, segment_id, code, coder`` (deduplicated).

    Span form uses the overlap rule (module docs); segment form is checked against the table.
    Rows with both (a tag output) go by their spans, unless ``segments`` has none (a table of
    ids only): then by their segment ids. ``.attrs["unmapped"]`` counts the codings that land
    on no segment (never dropped silently: callers report it).
    """
    from .excerpts import require_placed

    require_placed(codings)
    keys = [C.DOC_ID, C.SEGMENT_ID, C.CODE, CODER]
    if CODER not in codings.columns:  # a table made in Python, not read by read_codings
        codings = codings.assign(**{CODER: DEFAULT_CODER})
    by_id = C.START_CHAR not in codings.columns or not {C.START_CHAR, C.END_CHAR} <= set(segments.columns)
    if C.SEGMENT_ID in codings.columns and by_id:
        known = segments[[C.DOC_ID, C.SEGMENT_ID]].drop_duplicates()
        as_text = not (
            pd.api.types.is_integer_dtype(codings[C.SEGMENT_ID]) and pd.api.types.is_integer_dtype(known[C.SEGMENT_ID])
        )
        left = codings.astype({C.SEGMENT_ID: str}) if as_text else codings
        right = known.astype({C.SEGMENT_ID: str}) if as_text else known
        merged = left.merge(right, on=[C.DOC_ID, C.SEGMENT_ID], how="left", indicator=True)
        unmapped = int((merged["_merge"] == "left_only").sum())
        out = merged[merged["_merge"] == "both"][keys].drop_duplicates().reset_index(drop=True)
        out.attrs["unmapped"] = unmapped
        return out
    pairs = span_segments(codings, segments)
    out = codings[[C.DOC_ID, C.CODE, CODER]].iloc[pairs["span"].to_numpy()].reset_index(drop=True)
    out[C.SEGMENT_ID] = pairs[C.SEGMENT_ID].to_numpy()
    out = out[keys].drop_duplicates()
    out = out.sort_values(keys, kind="stable").reset_index(drop=True)
    out.attrs["unmapped"] = int(len(codings) - len(set(pairs["span"].tolist())))
    return out


def span_segments(spans: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Which segments each span codes, by the overlap rule (module docs).

    Returns
    -------
    pandas.DataFrame
        ``span`` (the position of the row in ``spans``) and ``segment_id``, one row per
        (span, segment) pair, in the order of ``spans`` then of the segments.
    """
    left = spans[[C.DOC_ID, C.START_CHAR, C.END_CHAR]].copy()
    left["span"] = np.arange(len(spans))
    pairs = left.merge(segments[[C.DOC_ID, C.SEGMENT_ID, C.START_CHAR, C.END_CHAR]], on=C.DOC_ID, suffixes=("", "_seg"))
    hit, _ = overlap_rule(
        pairs[C.START_CHAR], pairs[C.END_CHAR], pairs[f"{C.START_CHAR}_seg"], pairs[f"{C.END_CHAR}_seg"]
    )
    return pairs.loc[hit, ["span", C.SEGMENT_ID]].reset_index(drop=True)


def segment_key(values: pd.Series) -> pd.Series:
    """Segment ids as text, whole numbers without a decimal point (``3.0`` -> ``"3"``)."""
    numbers = pd.to_numeric(values, errors="coerce")
    whole = numbers.notna() & (numbers == numbers.round())
    out = values.astype(object).where(values.notna(), None)
    out[whole] = numbers[whole].astype("int64").astype(str)
    return out.map(lambda v: None if v is None else str(v))


def overlap_rule(span_start: Any, span_end: Any, start: Any, end: Any) -> tuple[Any, Any]:
    """Whether each span codes each passage (``start``, ``end``) by the overlap rule (module
    docs), and whether it covers at least half of the passage (its first half alone)."""
    overlap = np.minimum(span_end, end) - np.maximum(span_start, start)
    most = (overlap > 0) & (overlap >= OVERLAP * (end - start).clip(lower=1))
    return most | ((overlap > 0) & (overlap >= OVERLAP * (span_end - span_start).clip(lower=1))), most


def warn_spelled_apart(codes: pd.Series) -> None:
    """Warn when codes differ only in letter case, spacing, ``_`` or ``-`` (``Caring climate``,
    ``caring_climate``): one coder typed labels, the other ids, and agreement compares them
    as different codes, each at zero."""
    import warnings

    from .errors import QualcodeWarning, listed

    spellings: dict[str, set[str]] = {}
    for code in set(codes):
        spellings.setdefault(re.sub(r"[\s_-]+", " ", code.strip().lower()), set()).add(code)
    apart = sorted(" / ".join(repr(name) for name in sorted(names)) for names in spellings.values() if len(names) > 1)
    if apart:
        warnings.warn(
            QualcodeWarning(
                f"codes spelled differently are compared as different codes: {listed(apart, sep='; ')}; "
                "write each code the same way in every file (e.g. as the codebook's id, or give the codebook)"
            ),
            stacklevel=3,
        )
