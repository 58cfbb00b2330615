"""``qc.tag``: the batch job behind ``qualcode tag``: read, suggest, write, record."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import columns as C
from .codebook import Codebook, load_codebook
from .corpus import Corpus
from .embed.base import make_encoder
from .errors import OptionError, counted
from .fileio import check_csv_name, check_writable, write_together
from .io import read_transcripts
from .io.writers import write_codings
from .meta import check_own_record, meta_path, meta_writer
from .previous import check_not_an_input, previous_codings
from .progress import shows_progress
from .provenance import provenance
from .settings import Settings
from .suggestions import suggest
from .training_docs import outside_line, outside_transcripts, training_record

SETTLES = 100  # coded segments from which cv_kappa came within ~0.05 of held-out kappa (benchmarks/README.md)


@dataclass
class TagResult:
    """What :func:`tag` produced."""

    codings: pd.DataFrame
    corpus: Corpus
    meta: dict[str, Any]
    output: Path | None = None
    meta_file: Path | None = None
    settings: Settings | None = None
    warnings: list[str] = field(default_factory=list)
    n_coded: int | None = None  # segments coded (see coded_rows); None: the participants' turns
    n_examples: int = 0  # of them, training examples: their human codes kept, nothing suggested

    def summary(self) -> str:
        """One line for the end of a run."""
        coded = self.corpus.segments
        n_coded = self.n_coded
        if n_coded is None:
            n_coded = int((~coded[C.IS_INTERVIEWER]).sum()) if C.IS_INTERVIEWER in coded else len(coded)
        with_code = self.codings[[C.DOC_ID, C.SEGMENT_ID]].drop_duplicates().shape[0] if len(self.codings) else 0
        codes = self.codings[C.CODE].nunique() if len(self.codings) else 0
        rows = self.codings
        human = 0
        if len(rows):  # a human row typed into the output may have no method: its status says it
            made_by = rows[C.METHOD] == "human" if C.METHOD in rows else pd.Series(False, index=rows.index)
            typed = rows[C.STATUS].astype(str).str.strip().str.lower() == "human" if C.STATUS in rows else made_by
            human = int((made_by | typed).sum())
        kept = f" and {counted(human, 'human code')} kept" if human else ""  # not suggestions: the humans made them
        scored = f"{n_coded - self.n_examples} scored"
        if self.n_examples:  # segments the human codes came from are learned from, not scored
            learned = self.meta["settings"]["method_ran"] == "classifier"  # not when every code fell back
            scored += f", {self.n_examples} {'learned from' if learned else 'hand-coded, not scored'}"
        where = f" -> {self.output}" if self.output else ""
        return (
            f"{counted(len(self.corpus.documents), 'document')}, {counted(len(coded), 'segment')} ({scored}): "
            f"{counted(len(self.codings) - human, 'suggestion')}{kept} of {counted(codes, 'code')} on "
            f"{counted(with_code, 'segment')} "
            f"[{self.meta['settings']['method_ran']}]{where}"
        )

    def learned(self) -> str | None:
        """For a run that learned from human codes: how well the learned model agreed with
        them, out of fold (the ``cv_kappa`` of the record), in one line; None otherwise, or
        when it is at chance (a warning says so then)."""
        from .match import learned_evidence
        from .match.learned_thresholds import CHANCE_KAPPA

        made = (self.meta.get("models") or {}).get("classifier") or {}
        kappa = made.get("cv_kappa")
        if kappa is None or kappa < CHANCE_KAPPA or made.get("fallback_to_hybrid"):
            return None
        own = sum(1 for info in (made.get("learned") or {}).values() if info.get("models"))
        coded = int(made.get("coded_segments") or self.n_examples)  # hand-coded transcripts outside the run too
        asked = learned_evidence.asked(
            int(made.get("coded_interviewer_turns") or 0), int(made.get("interviewer_turns_with_codes") or 0)
        )
        few = (
            f"; from fewer than {SETTLES} coded segments it ran up to 0.12 above the kappa on documents held out, "
            "on three corpora"
            if coded < SETTLES
            else ""
        )
        return (
            f"learned: {counted(own, 'code')} with models of their own, cross-validated on the "
            f"{counted(coded, 'training segment')}{asked} (each document's codes predicted by models that never saw it): "
            f"mean kappa {kappa:.2f} against the human codes (cv_kappa in the .meta.json{few})"
        )

    def __repr__(self) -> str:
        return f"TagResult({self.summary()})"

    def _repr_html_(self) -> str:
        """In Jupyter: the summary, warnings, suggestions per code, and links to the files."""
        from html import escape

        parts = [f"<p><b>qualcode tag</b>: {escape(self.summary())}</p>"]
        learned = self.learned()
        if learned:
            parts.append(f"<p>{escape(learned)}</p>")
        if self.warnings:
            parts.append("<ul>" + "".join(f"<li>warning: {escape(w)}</li>" for w in self.warnings) + "</ul>")
        if len(self.codings):
            counts = self.codings.groupby(C.CODE, sort=False).size().sort_values(ascending=False, kind="stable")
            cells = "".join(
                f"<tr><td style='text-align:left'>{escape(str(c))}</td><td>{n}</td></tr>" for c, n in counts.items()
            )
            parts.append(
                f"<table><thead><tr><th>code</th><th>suggestions</th></tr></thead><tbody>{cells}</tbody></table>"
            )
        for label, path in (("codings", self.output), ("provenance", self.meta_file)):
            if path is not None:
                parts.append(
                    f"<p>{label}: <a href='{escape(path.as_posix())}' target='_blank'>{escape(str(path))}</a></p>"
                )
        parts.append("<p>Passages: <code>qc.report(result.output, codebook)</code> opens the report of this run.</p>")
        return "".join(parts)


def _tables(training: Any) -> bool:
    """Human codings given as tables (not recorded as paths in the settings)."""
    if isinstance(training, list | tuple):
        return any(isinstance(part, pd.DataFrame) for part in training)
    return isinstance(training, pd.DataFrame)


@shows_progress
def tag(
    inputs: str | Path | Iterable[str | Path],
    codebook: str | Path | Codebook,
    output: str | Path | None = None,
    *,
    settings: Settings | None = None,
    training: Any = None,
    client: Any = None,
    **options: Any,
) -> TagResult:
    """Read transcripts, suggest codes, and write the codings CSV with its ``.meta.json``.

    ``client``: a ``dask.distributed.Client`` to score the segments on its workers (see
    :mod:`qualcode.distributed`); the output is the same, byte for byte.

    Parameters
    ----------
    inputs
        Transcript files or folders.
    codebook
        A codebook file or a loaded :class:`~qualcode.codebook.Codebook`.
    output
        The CSV to write (nothing is written when it is None); a ``.meta.json`` goes beside it.
    settings
        A :class:`~qualcode.settings.Settings`; ``options`` (its field names as keywords:
        ``segment_by``, ``method``, ``min_score``, ``top_k``, ``format``, ``metadata``,
        ``text_column``, ``model``, ``cache``, ``training`` (a CSV path), ``previous``, …)
        override it. Everything is validated before any file is opened.
    training
        Human codings to learn from: a CSV path or a DataFrame, or a list of them (see
        :func:`qualcode.suggest`); paths are recorded in the ``.meta.json``.

    ``previous``: earlier codings to merge with (see :func:`qualcode.review.merge`): their
    accepted, rejected and human rows survive the new run. ``"auto"`` (default) merges with
    ``output`` when that file exists and holds such rows; None starts afresh (the old file is
    kept as ``OUT.csv.bak`` when it held reviewed rows).

    Examples
    --------
    >>> import qualcode as qc
    >>> result = qc.tag("examples/interviews", "codebooks/caring_schools.yaml",
    ...                 metadata="examples/interviews/participants.csv", method="keyword")
    >>> bool(result.codings["role"].notna().all())
    True
    """
    if training is not None and not _tables(training):
        options["training"] = training
        training = None
    named: list[str | Path] = [inputs] if isinstance(inputs, str | Path) else list(inputs)
    if training is not None:  # a DataFrame of human codes: the classifier, unless another method was asked for
        from .match import matcher_class

        asked = options.get("method")
        if asked is not None and not matcher_class(str(asked)).learns:
            raise OptionError(
                f"method {asked!r} does not learn from human codes, and training codes were given (they fit the "
                "classifier): leave the method out, or the training codes",
                option="method",
            )
        options = {**options, "method": asked or "classifier"}
    run = Settings.build(settings, **options)
    copied_notes: list[str] = []
    sources: dict[Path, int] = {}
    if run.training:  # and the codings files those were made from (a tag output's copies: from them)
        from .meta import earlier_codings

        sources, copied_notes = earlier_codings(run.training, "its codes teach")
        if sources:
            given = len(run.training)
            run = run.model_copy(update={"training": (*run.training, *map(str, sources)), "training_given": given})
    if output is not None:
        check_writable(output)
        check_own_record(check_csv_name(output))
        check_writable(meta_path(output))
        check_not_an_input(
            output,
            [
                *named,
                run.metadata,
                *(run.training or ()),
                codebook if not isinstance(codebook, Codebook) else None,
            ],
        )
        check_not_an_input(meta_path(output), named)
    reused = _reuse_metadata(run, output, named)
    if reused is not None:
        run = run.model_copy(update={"metadata": reused})
    codebook_path = None
    if not isinstance(codebook, Codebook):
        codebook_path = Path(codebook)
        codebook = load_codebook(codebook_path)
    # a codebook kept in the transcripts' folder (a Word codebook beside the .docx transcripts) is no transcript
    corpus = read_transcripts(named, **run.read_options(), exclude=[codebook_path] if codebook_path else [])
    documents = [str(doc.doc_id) for doc in corpus.documents]
    # read before the model runs: an output that cannot be merged stops the run at once
    reads = [*(run.training or ()), *sorted({doc.path for doc in corpus.documents if doc.path})]
    prior, kept_notes = previous_codings(
        run.previous, output, run.format, documents=documents, reads=reads, run_documents=corpus.documents
    )
    if prior is not None:  # reviewed rows follow their words; rows of other texts stop the run here
        from .reanchor import follow_previous

        prior, moved_notes = follow_previous(prior, corpus, output if run.previous == "auto" else run.previous, run)
        kept_notes += moved_notes
    sheet_codes = _sheet_codes(corpus, run, named) if run.codes_column is not None else None
    if training is None and run.training is None and sheet_codes is not None:
        training = sheet_codes  # a coded spreadsheet teaches the model its own codes
    outside: Corpus | None = None
    outside_notes: list[str] = []
    if training is None and run.training:
        outside, taught_from = outside_transcripts(run.training, corpus, run.read_options())
        if outside is not None:
            outside_notes.append(outside_line(taught_from, "are not scored or written to the output"))
            if output is not None:  # they are inputs too
                check_not_an_input(output, [doc.path for doc in outside.documents if doc.path])
    codings = suggest(
        corpus,
        codebook,
        method=run.method,
        min_score=run.min_score,
        top_k=run.top_k,
        include_interviewer=run.include_interviewer,
        encoder=make_encoder(run.encoder, run.model) if run.method != "keyword" else None,
        cache=run.cache,
        training=training if training is not None else _training_files(run, sheet_codes),
        min_examples=run.min_examples,
        client=client,
        training_documents=outside,
        read_too=sources,
    )
    made = codings.attrs["qualcode"]
    notes = [*copied_notes, *made["notes"], *outside_notes]
    if run.training:  # each human row names the training file it was copied from
        from .origins import mark_origins

        texts = {doc.doc_id: doc.text for doc in [*(outside.documents if outside else []), *corpus.documents]}
        codings = mark_origins(
            codings, [str(path) for path in run.training], codebook, texts, corpus.documents, corpus.segments
        )
    sheets: list[str] = []
    if sheet_codes is not None:  # ... or the coded sheet it was read from
        from .origins import mark_sheets

        codings, sheets = mark_sheets(codings, corpus)
    if reused is not None:
        notes.append(
            f"participant metadata {reused} reused from the run that wrote {output} (give --metadata to change it)"
        )
    notes += kept_notes
    if prior is not None:
        from .review import merge

        source = output if run.previous == "auto" else run.previous
        prior, gone = _fresh_copies(prior, codings, [*map(str, run.training or ()), *sheets], source, output, codebook)
        codings, report = merge(prior, codings, codebook, documents=documents)
        notes += report.lines() + gone
    record = run.record()
    record["method_ran"] = made["method"]
    record["min_score_used"] = made["min_score"]
    # the per-code thresholds that replaced it (learned on the human codes, or tuned into the codebook)
    record["thresholds_used"] = {code: round(float(value), 4) for code, value in sorted(made["thresholds"].items())}
    counts = {"documents": len(corpus.documents), "segments": len(corpus.segments), "suggestions": len(codings)}
    meta = provenance(
        corpus=corpus,
        codebook=codebook,
        codebook_path=codebook_path,
        settings=record,
        models=made["models"],
        counts=counts,
    )
    if outside is not None:  # read and learned from, not coded: recorded apart from the inputs
        meta["training_transcripts"] = training_record(outside)
    coded = coded_rows(corpus.segments, codings, codebook, include_interviewer=run.include_interviewer)
    result = TagResult(
        codings,
        corpus,
        meta,
        settings=run,
        warnings=[*corpus.warnings, *notes],
        n_coded=int(coded.sum()),
        n_examples=int(made.get("examples", 0)),
    )
    if output is not None:
        coded_segments = corpus.segments[coded]
        target = Path(output)
        write_together(
            [
                (
                    target,
                    lambda tmp: write_codings(
                        codings, tmp, format=run.format, segments=coded_segments, codes=codebook.ids
                    ),
                ),
                (meta_path(target), meta_writer(meta, target)),
            ]
        )
        result.output, result.meta_file = target, meta_path(target)
    return result


def coded_rows(
    segments: pd.DataFrame, codings: pd.DataFrame, codebook: Codebook, *, include_interviewer: bool
) -> np.ndarray:
    """The segments a run coded (the rows of a wide table): every segment with
    ``include_interviewer``; else the participants' turns, plus interviewer turns that hold a
    row (human codes kept) or that a code names by speaker (see :func:`qc.suggest`)."""
    from .interviewer import suggested_turns

    turns = suggested_turns(segments, codebook, include_interviewer=include_interviewer)
    if turns.all():
        return turns
    held = codings[[C.DOC_ID, C.SEGMENT_ID]]
    keys = set(zip(held[C.DOC_ID].astype(str), held[C.SEGMENT_ID], strict=True))
    with_rows = np.fromiter(
        ((str(d), s) in keys for d, s in zip(segments[C.DOC_ID], segments[C.SEGMENT_ID], strict=True)),
        dtype=bool,
        count=len(segments),
    )
    return turns | with_rows


def _sheet_codes(corpus: Corpus, run: Settings, named: list[str | Path]) -> pd.DataFrame | None:
    """The human codes of the inputs' ``codes_column``: several columns (a teacher's and a
    student's moves; Code 1, Code 2) as one body of codes, not coders to compare (``agree``
    does that). None in any input is an error, the option saying there are some, unless
    training files are given: new sheets, not coded yet, beside codes made before."""
    codes = corpus.codings
    columns = run.codes_column or ()
    asked = [columns] if isinstance(columns, str) else list(columns)
    present = set(codes[C.CODER].astype(str))
    if len(present) > 1:
        names = [name for name in asked if name in present]
        names += sorted(present - set(names))
        attrs = dict(codes.attrs)  # labelled segments, where the codes were read
        codes = codes.assign(coder=" + ".join(names))
        codes.attrs = attrs
    if codes.empty and run.training:
        return None
    if codes.empty:
        raise OptionError(
            f"codes_column {' and '.join(map(repr, asked))} hold{'s' * (len(asked) == 1)} no codes in "
            f"{', '.join(map(str, named))}",
            option="codes_column",
        )
    return codes


def _training_files(run: Settings, sheet_codes: pd.DataFrame | None) -> list[Any] | None:
    """The ``--train`` files, and the inputs' own codes beside them (a coded sheet given with
    training files: both teach; the sheet's codes used to be left out without a word)."""
    if not run.training:
        return None
    return [*run.training, *([sheet_codes] if sheet_codes is not None else [])]


def _fresh_copies(
    prior: pd.DataFrame,
    codings: pd.DataFrame,
    files: list[str],
    source: str | Path | None,
    output: str | Path | None,
    codebook: Codebook,
) -> tuple[pd.DataFrame, list[str]]:
    """The earlier output without its copies of the training files or coded sheets this run
    reads again (``files``; :mod:`qualcode.origins`); a code deleted from such a file is
    dropped, the output it is about to replace kept as ``.bak`` first (a ``--previous`` file is
    not replaced), and a line says so."""
    from .origins import drop_copies
    from .previous import backup

    prior, gone, files = drop_copies(prior, codings, files, codebook)
    if not gone:
        return prior, []
    where = f" ({source} keeps them)" if source is not None else ""
    replaced = source is not None and output is not None and Path(source).resolve() == Path(output).resolve()
    if replaced and backup(Path(str(source)), "human codes deleted from the file they were read from"):
        where = f" ({Path(str(source)).name}.bak keeps them)"
    return prior, [
        f"{gone} human codes of the earlier output are no longer in {', '.join(files)} and were left out{where}: "
        "the file they were read from is where human codes live"
    ]


def _reuse_metadata(run: Settings, output: str | Path | None, inputs: Iterable[str | Path]) -> str | None:
    """The metadata table the run that wrote ``output`` used, when this run merges with it,
    names none (so merged rows do not lose their role and district) and reads some of the
    same files (another study's table would match none of them)."""
    from .meta import read_meta

    if output is None or run.metadata is not None or run.previous is None or not Path(output).is_file():
        return None
    meta = read_meta(output)
    if meta is None or meta.settings.metadata is None or not Path(meta.settings.metadata).is_file():
        return None
    earlier = {Path(path).resolve() for path in meta.inputs}
    given = [Path(path).resolve() for path in inputs]
    if not any(path in earlier or any(path in file.parents for file in earlier) for path in given):
        return None
    return meta.settings.metadata
