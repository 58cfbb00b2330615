"""``qc.tag``: the batch job behind ``qualcode tag``: read, suggest, write, record."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import columns as C
from .codebook import Codebook, load_codebook
from .corpus import Corpus
from .errors import OptionError, QualcodeError
from .fileio import check_writable
from .io import read_transcripts
from .io.writers import FORMATS, meta_path, write_codings, write_meta
from .provenance import provenance
from .suggest import suggest


@dataclass
class TagResult:
    """What :func:`tag` produced."""

    codings: pd.DataFrame
    corpus: Corpus
    meta: dict[str, Any]
    output: Path | None = None
    meta_file: Path | None = None
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the end of a run."""
        coded = self.corpus.segments
        n_coded = int((~coded[C.IS_INTERVIEWER]).sum()) if C.IS_INTERVIEWER in coded else len(coded)
        with_code = self.codings[[C.DOC_ID, C.SEGMENT_ID]].drop_duplicates().shape[0] if len(self.codings) else 0
        codes = self.codings[C.CODE].nunique() if len(self.codings) else 0
        where = f" -> {self.output}" if self.output else ""
        return (
            f"{len(self.corpus.documents)} documents, {len(coded)} segments ({n_coded} coded): "
            f"{len(self.codings)} suggestions of {codes} codes on {with_code} segments "
            f"[{self.meta['settings']['method']}]{where}"
        )


def tag(
    inputs: str | Path | Iterable[str | Path],
    codebook: str | Path | Codebook,
    output: str | Path | None = None,
    *,
    metadata: str | Path | None = None,
    metadata_key: str = "doc_id",
    unit: str = "auto",
    method: str = "hybrid",
    min_score: float | None = None,
    top_k: int | None = None,
    format: str = "long",
    include_interviewer: bool = False,
    interviewers: Sequence[str] | None = None,
    text_column: str | None = None,
    id_column: str | None = None,
    speaker_column: str | None = None,
    encoding: str | None = None,
    model: str | Path | None = None,
    cache: str | Path | None = "default",
    training: str | Path | pd.DataFrame | None = None,
    previous: str | Path | None = "auto",
) -> TagResult:
    """Read transcripts, suggest codes, and write the codings CSV with its ``.meta.json``.

    Parameters are those of :func:`qualcode.read_transcripts` and :func:`qualcode.suggest`;
    ``output`` is the CSV to write (nothing is written when it is None) and ``format``
    ``long`` (one row per segment and code) or ``wide`` (one row per segment). ``model`` is a
    sentence-transformers model folder (default: the packaged all-MiniLM-L6-v2) and ``cache``
    the embedding cache folder (``"default"``: the user cache folder; None: no cache).
    ``training`` holds human codings to learn from (see :func:`qualcode.suggest`).

    ``previous``: earlier codings to merge with (see :func:`qualcode.review.merge`): their
    accepted, rejected and human rows survive the new run. ``"auto"`` (default) merges with
    ``output`` when that file exists and holds such rows; None starts afresh (the old file is
    kept as ``OUT.csv.bak`` when it held reviewed rows).

    Examples
    --------
    >>> import qualcode as qc
    >>> result = qc.tag("examples/interviews", "codebooks/caring_schools.yaml",
    ...                 metadata="examples/interviews/participants.csv", method="keyword")
    >>> result.codings["role"].notna().all()
    True
    """
    if format not in FORMATS:
        raise OptionError(f"unknown format {format!r}; choose one of: {', '.join(FORMATS)}")
    if output is not None:
        check_writable(output)
        check_writable(meta_path(output))
    codebook_path = None
    if not isinstance(codebook, Codebook):
        codebook_path = Path(codebook)
        codebook = load_codebook(codebook_path)
    corpus = read_transcripts(
        inputs,
        metadata=metadata,
        metadata_key=metadata_key,
        unit=unit,
        interviewers=interviewers,
        text_column=text_column,
        id_column=id_column,
        speaker_column=speaker_column,
        encoding=encoding,
    )
    if training is not None:
        method = "classifier"
    codings = suggest(
        corpus,
        codebook,
        method=method,
        min_score=min_score,
        top_k=top_k,
        include_interviewer=include_interviewer,
        encoder=model,
        cache=cache,
        training=training,
    )
    made = codings.attrs["qualcode"]
    min_score = made["min_score"]
    notes = list(made["notes"])
    prior = _previous(previous, output)
    if prior is not None:
        from .review import merge

        codings, report = merge(prior, codings, codebook)
        notes += report.lines()
    settings = {
        "method": method,
        "unit": unit,
        "min_score": min_score,
        "top_k": top_k,
        "format": format,
        "include_interviewer": include_interviewer,
        "metadata": str(metadata) if metadata else None,
    }
    counts = {"documents": len(corpus.documents), "segments": len(corpus.segments), "suggestions": len(codings)}
    meta = provenance(
        corpus=corpus,
        codebook=codebook,
        codebook_path=codebook_path,
        settings=settings,
        models=made["models"],
        counts=counts,
    )
    result = TagResult(codings, corpus, meta, warnings=[*corpus.warnings, *notes])
    if output is not None:
        if previous is None:
            _backup(output)
        coded_segments = corpus.segments
        if not include_interviewer:
            coded_segments = coded_segments[~coded_segments[C.IS_INTERVIEWER]]
        result.output = write_codings(codings, output, format=format, segments=coded_segments, codes=codebook.ids)
        result.meta_file = write_meta(output, meta)
    return result


def _has_reviewed(frame: pd.DataFrame) -> bool:
    if C.STATUS not in frame.columns:
        return False
    return bool(frame[C.STATUS].astype(str).str.lower().isin(["accepted", "rejected", "human"]).any())


def _previous(previous: str | Path | None, output: str | Path | None) -> pd.DataFrame | None:
    """The earlier codings to merge with, or None."""
    from .io.coded import read_coded

    if previous is None:
        return None
    if previous == "auto":
        if output is None or not Path(output).is_file():
            return None
        try:
            frame = read_coded(output)
        except QualcodeError:
            return None  # not a long codings file (e.g. wide): nothing reviewed to keep
        return frame if _has_reviewed(frame) else None
    return read_coded(previous)


def _backup(output: str | Path) -> None:
    """Before starting afresh over reviewed work, keep it as OUT.csv.bak."""
    import shutil

    from .io.coded import read_coded

    path = Path(output)
    if path.is_file():
        try:
            reviewed = _has_reviewed(read_coded(path))
        except QualcodeError:
            reviewed = False
        if reviewed:
            shutil.copy2(path, path.with_name(path.name + ".bak"))
