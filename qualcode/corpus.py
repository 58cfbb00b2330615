"""A corpus: the documents read, their segments, and what reading noticed."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from . import columns as C
from .document import Document


@dataclass
class Corpus:
    """Documents and the segments cut from them.

    Attributes
    ----------
    documents
        One :class:`~qualcode.document.Document` per transcript (text, turns, metadata).
    segments
        The segments table: ``doc_id, segment_id, speaker, is_interviewer, text,
        start_char, end_char`` (+ ``start_time, end_time``) + metadata columns.
    warnings
        What reading noticed and did not stop for: metadata rows matching no document,
        documents without metadata, encoding fall-backs.
    segment_by
        How the documents were cut into segments (``unit`` is its old name).
    """

    documents: list[Document]
    segments: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    segment_by: str = "auto"

    @property
    def unit(self) -> str:
        """Deprecated name of :attr:`segment_by`."""
        return self.segment_by

    @property
    def codings(self) -> pd.DataFrame:
        """Human codes read with the documents (a table's ``codes_column``), in span form:
        ``doc_id, start_char, end_char, code, coder`` (the column's name). When some row was
        coded ``none``, ``.attrs["labelled_segments"]`` lists the segments of every document
        coded either way: a document coded "no code applies" is an example too."""
        rows = [
            {"doc_id": doc.doc_id, "start_char": a, "end_char": b, "code": code, "coder": coder}
            for doc in self.documents
            for a, b, code, coder in doc.codes
        ]
        out = pd.DataFrame(rows, columns=["doc_id", "start_char", "end_char", "code", "coder"])
        files = list(dict.fromkeys(doc.path for doc in self.documents if doc.codes and doc.path))
        columns = list(dict.fromkeys(coder for doc in self.documents for *_, coder in doc.codes))
        if any(doc.no_codes for doc in self.documents):  # a row coded "none" is an example too (a negative)
            coded = {doc.doc_id for doc in self.documents if doc.codes or doc.no_codes}
            segments = self.segments[self.segments["doc_id"].isin(coded)]
            out.attrs["labelled_segments"] = sorted(
                zip(segments["doc_id"].astype(str), segments["segment_id"].astype(int), strict=True)
            )
        if files:  # where a code the codebook lacks was written, for the error that names it
            where = files[0] if len(files) == 1 else f"{files[0]} and {len(files) - 1} more"
            out.attrs["source"] = f"{where}, column{'s' * (len(columns) > 1)} {' and '.join(map(repr, columns))}"
        return out

    def text(self, doc_id: str) -> str:
        """The full text of one document, which every offset refers to."""
        for doc in self.documents:
            if doc.doc_id == doc_id:
                return doc.text
        raise KeyError(f"no document {doc_id!r}; documents are: {', '.join(d.doc_id for d in self.documents)}")

    @property
    def documents_table(self) -> pd.DataFrame:
        """One row per document: ``doc_id, path, format, encoding, sha256, text`` + metadata."""
        rows = []
        for doc in self.documents:
            row = {
                C.DOC_ID: doc.doc_id,
                C.PATH: doc.path,
                C.FORMAT: doc.format,
                C.ENCODING: doc.encoding,
                C.SHA256: doc.sha256,
                C.TEXT: doc.text,
            }
            row.update({k: v for k, v in doc.metadata.items() if k not in row})
            rows.append(row)
        return pd.DataFrame(rows)

    def __len__(self) -> int:
        return len(self.documents)

    def __repr__(self) -> str:
        return f"Corpus({len(self.documents)} documents, {len(self.segments)} segments, segment_by={self.segment_by!r})"
