"""``qualcode review``, ``qualcode agree`` and ``qualcode evaluate``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import counted, listed
from .common import (
    EncodingOpt,
    IdColumnOpt,
    IdsOpt,
    InputsOpt,
    InterviewerOpt,
    RecordedCodebookOpt,
    RecordedIdsOpt,
    SegmentByOpt,
    SpeakerColumnOpt,
    TextColumnOpt,
    check_output,
    handles_errors,
    renamed,
)


@handles_errors
def review(
    coded: Annotated[Path, typer.Argument(help="A long codings CSV (from qualcode tag), possibly edited by hand.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The reviewed CSV to write.")],
    accept_above: Annotated[float | None, typer.Option(help="Accept suggestions scoring at least this.")] = None,
    reject_below: Annotated[float | None, typer.Option(help="Reject suggestions scoring below this.")] = None,
    code: Annotated[list[str] | None, typer.Option(help="Only for this code (repeatable).")] = None,
    coder: Annotated[str, typer.Option(help="Reviewer name recorded in the coder column.")] = "reviewer",
) -> None:
    """Accept or reject suggestions by score, or check a CSV whose status column you edited.

    Statuses: suggested, accepted, rejected, human. Human rows are never changed.
    Example: qualcode review coded.csv --accept-above 0.7 --reject-below 0.45 --coder ana -o reviewed.csv
    """
    from ..reviewing import review_file

    check_output(output, csv=True)
    table, notes = review_file(
        coded, output, accept_above=accept_above, reject_below=reject_below, codes=code, coder=coder
    )
    for line in notes:
        typer.echo(line, err=True)
    counts = table["status"].value_counts()
    summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("suggested", "accepted", "rejected", "human"))
    typer.echo(f"{summary} -> {output}", err=True)


@handles_errors
def agree(
    codings: Annotated[
        list[Path],
        typer.Argument(
            help="Two or more human codings CSVs (one per coder, or with a coder column); or coded sheets whose "
            "--codes-column are the coders."
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The agreement report CSV.")],
    inputs: Annotated[
        list[Path] | None,
        typer.Option(
            "--inputs",
            "-i",
            help="The transcripts the codings refer to (without them: the units the coders coded, segment form only).",
        ),
    ] = None,
    unit: Annotated[str, typer.Option(help="Unit of analysis: segment or character (NVivo-style).")] = "segment",
    segment_by: SegmentByOpt = "auto",
    segment_unit: Annotated[str | None, typer.Option(hidden=True, help="Deprecated: use --segment-by.")] = None,
    text_column: TextColumnOpt = None,
    id_column: IdColumnOpt = None,
    speaker_column: SpeakerColumnOpt = None,
    ids: IdsOpt = "name",
    codebook: Annotated[
        Path | None,
        typer.Option(
            "--codebook",
            "-c",
            help="Read codes written as labels or in other letter case as the codebook's ids "
            "(default: the codebook recorded beside the codings, if any).",
        ),
    ] = None,
    codes_column: Annotated[
        list[str] | None,
        typer.Option(help="A coder's column of codes in a coded CSV/XLSX sheet; give one per coder."),
    ] = None,
    codes_separator: Annotated[str, typer.Option(help="Separator between codes in --codes-column.")] = ";",
    all_coded: Annotated[
        bool,
        typer.Option(
            "--all-coded",
            help="Every coder coded every document: a document without a coder's codes is their 'no code' "
            "(survey answers one coder gave no code), not left out.",
        ),
    ] = False,
) -> None:
    """Inter-coder agreement per code and pooled: percent agreement, Cohen's kappa, Krippendorff's alpha.

    Example: qualcode agree coder_a.csv coder_b.csv -i interviews/ -o agreement.csv
    Codes as labels in one file, ids in the other: add -c codebook.yaml
    Two coders' columns of one sheet: qualcode agree sheet.xlsx --codes-column "Coder A" --codes-column "Coder B"
    --text-column answer -o agreement.csv
    """
    from ..io.writers import write_csv
    from ..workflows import agree_files

    if segment_unit is not None:
        renamed("--segment-unit", "--segment-by")
        segment_by = segment_unit
    check_output(output, csv=True, inputs=[*codings, *(inputs or ()), *([codebook] if codebook else [])])
    result = agree_files(
        codings,
        codebook=codebook,
        inputs=inputs,
        unit=unit,
        segment_by=segment_by,
        text_column=text_column,
        id_column=id_column,
        speaker_column=speaker_column,
        ids=ids,
        codes_column=codes_column,
        codes_separator=codes_separator,
        all_coded=all_coded,
    )
    write_csv(result.reset_index(), output)
    partial = result.attrs.get("partial") or {}
    if partial:  # left out, not disagreements: the figures hold only if those coders did not code them
        shown = [f"{doc} ({', '.join(missing)} none)" for doc, missing in partial.items()]
        typer.echo(
            f"note: {counted(len(partial), 'document')} hold{'s' * (len(partial) == 1)} codes of some coders only "
            f"({listed(shown, 3)}): left out for the coders without codes there, who may not have coded "
            f"{'it' if len(partial) == 1 else 'them'}; if every coder read every document, pass --all-coded "
            "(no code there is then their 'no code')",
            err=True,
        )
    if unit == "segment" and not inputs:
        typer.echo(f"note: units are {result.attrs['units_from']}", err=True)
    if result.attrs.get("codebook_from"):
        typer.echo(
            f"note: codes written as labels or in other case read as the ids of {result.attrs['codebook_from']}, "
            "the codebook recorded beside the codings (-c gives another)",
            err=True,
        )
    pooled = result.loc["pooled"]
    typer.echo(
        f"{', '.join(result.attrs['coders'])}: pooled agreement {pooled['percent_agreement']:.3f}, "
        f"kappa {pooled['cohen_kappa']:.3f}, alpha {pooled['krippendorff_alpha']:.3f} ({unit}s) -> {output}",
        err=True,
    )


@handles_errors
def evaluate(
    suggested: Annotated[Path, typer.Argument(help="Suggestions (a long codings CSV from qualcode tag).")],
    gold: Annotated[
        Path, typer.Option(help="Human codings to compare with (span or segment form, or excerpts: the coded words).")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The report CSV.")],
    inputs: InputsOpt = None,
    threshold: Annotated[float, typer.Option(help="A suggestion counts when it scores at least this.")] = 0.0,
    curve: Annotated[bool, typer.Option(help="Write a precision-recall table over thresholds instead.")] = False,
    tune: Annotated[str | None, typer.Option(help="Choose a threshold per code: f1 or prevalence.")] = None,
    codebook: Annotated[
        Path | None,
        typer.Option(
            "--codebook",
            "-c",
            help="The codebook (code order; with --tune, the one to add thresholds to; default: the one SUGGESTED "
            "was made with).",
        ),
    ] = None,
    write_codebook: Annotated[
        Path | None, typer.Option(help="With --tune: save the codebook with the chosen thresholds here.")
    ] = None,
    codes_column: Annotated[
        list[str] | None,
        typer.Option(help="GOLD is a coded sheet (the table that was tagged): its column of codes; repeatable."),
    ] = None,
) -> None:
    """Precision, recall, F1 and kappa of suggestions against human codes, per code.

    Example: qualcode evaluate coded.csv --gold human.csv -o report.csv --tune f1
    -c codebooks/caring_schools.yaml --write-codebook tuned.yaml
    """
    from ..codebook import save_codebook
    from ..errors import OptionError
    from ..evaluation import evaluate_files
    from ..io.writers import write_csv
    from ..meta import recorded_codebook

    check_output(output, csv=True, inputs=[suggested, gold, codebook, *(inputs or ())])
    if write_codebook is not None:
        if tune is None:
            raise OptionError("--write-codebook needs --tune (f1 or prevalence): the thresholds it writes")
        # the codebook the thresholds go into: -c, else the one SUGGESTED was made with
        source = codebook if codebook is not None else Path(recorded_codebook([suggested])[0])
        check_output(write_codebook, inputs=[suggested, gold, source, output, *(inputs or ())])
    result = evaluate_files(
        suggested,
        gold,
        inputs=inputs,
        threshold=threshold,
        curve=curve,
        tune=tune,
        codebook=codebook,
        codes_column=codes_column,
    )
    write_csv(result.table if curve else result.table.reset_index(), output)
    if tune is not None:
        typer.echo("thresholds: " + ", ".join(f"{c}={t:.2f}" for c, t in result.thresholds.items()), err=True)
        skipped = getattr(result.thresholds, "skipped", {})
        if skipped:
            few = ", ".join(f"{c} ({n})" for c, n in sorted(skipped.items()))
            typer.echo(
                f"warning: too few human-coded units to tune (< 5): {few}; their thresholds are unchanged", err=True
            )
        if write_codebook is not None and result.codebook is not None:
            save_codebook(result.codebook, write_codebook)
            typer.echo(f"codebook with thresholds -> {write_codebook}", err=True)
    if curve:
        typer.echo(f"precision-recall table -> {output}", err=True)
        return
    micro = result.table.loc["micro"]
    units = int(micro.to_dict()["n_units"])
    typer.echo(
        f"micro precision {micro['precision']:.3f}, recall {micro['recall']:.3f}, F1 {micro['f1']:.3f}, "
        f"kappa {micro['kappa']:.3f} over the {units} segments the human codes speak for -> {output}",
        err=True,
    )


@handles_errors
def next(
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="The sheet to fill in: .xlsx (Excel keeps its accents and quotes) or .csv."
        ),
    ],
    codebook: RecordedCodebookOpt = None,
    coded: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Human codings so far: any codings CSV and the filled-in sheets from earlier `next` runs "
            "(give them all: every segment coded in any of them is left out and teaches). None yet: give "
            "the transcripts with -i for a first batch drawn at random."
        ),
    ] = None,
    inputs: Annotated[
        list[Path] | None,
        typer.Option("--inputs", "-i", help="The transcripts (default: those recorded beside CODED)."),
    ] = None,
    metadata: Annotated[
        Path | None,
        typer.Option("--metadata", "-m", help="Participants CSV (default: the one recorded beside CODED)."),
    ] = None,
    n: Annotated[int, typer.Option("-n", help="How many segments to choose.")] = 20,
    segment_by: SegmentByOpt = "auto",
    include_interviewer: Annotated[
        bool, typer.Option("--include-interviewer", help="Also choose interviewer turns.")
    ] = False,
    text_column: TextColumnOpt = None,
    id_column: IdColumnOpt = None,
    speaker_column: SpeakerColumnOpt = None,
    interviewer: InterviewerOpt = None,
    metadata_key: Annotated[
        str | None, typer.Option(help="Column of --metadata holding the document id (default: doc_id).")
    ] = None,
    encoding: EncodingOpt = None,
    ids: RecordedIdsOpt = None,
) -> None:
    """Choose the segments whose codes would teach the model most; write them as a sheet to fill in.

    Write the codes that apply in the sheet's `codes` column (separated by ;), none (or leave it
    empty) when none applies, then pass the sheet with the earlier codings to `tag --train` or to
    `next` again: qualcode next human.csv to_code.csv -n 20 -o more.csv (the codebook and the
    transcripts: those recorded beside CODED, unless -c and -i give others)
    Example: qualcode next human.csv -c codebooks/caring_schools.yaml -i interviews/ -n 20 -o to_code.xlsx
    First batch, no codes yet: qualcode next -i interviews/ -c codebooks/caring_schools.yaml -n 20 -o to_code.csv
    """
    from ..active import next_sheet
    from ..fileio import check_sheet_name
    from ..meta import check_own_record

    check_output(output)
    check_own_record(check_sheet_name(output))
    sheet = next_sheet(
        coded or [],
        codebook,
        output,
        inputs=inputs,
        metadata=metadata,
        segment_by=None if segment_by == "auto" else segment_by,
        n=n,
        include_interviewer=include_interviewer,
        text_column=text_column,
        id_column=id_column,
        speaker_column=speaker_column,
        interviewers=interviewer,
        metadata_key=metadata_key,
        encoding=encoding,
        ids=ids,
    )
    typer.echo(f"{counted(len(sheet), 'segment')} to code -> {output}", err=True)
