"""Reviewing a codings file: ``qualcode review`` and ``qc.review_file``, over the row
operations of :mod:`qualcode.review`: the checks of its options (a ``--code`` no row holds, a
former name of a code, thresholds that cross) and the written file with its ``.meta.json``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from . import columns as C
from .errors import OptionError, check_score, listed, nearest
from .review import accept, check_statuses, reject


def check_codes_present(codes: Sequence[str], codings: pd.DataFrame, source: str = "the table") -> None:
    """A code given to review that no row of the table holds is an error naming the near
    spelling: a typed ``--code`` would otherwise review nothing and say nothing. (``qc.accept``
    and ``qc.reject`` take any code: a loop over a codebook's codes meets codes without rows.)"""
    held = sorted(set(codings[C.CODE].astype(str)))
    for wanted in codes:
        if wanted in held:
            continue
        near = nearest(str(wanted), held)
        hint = f"did you mean {near!r}?" if near else f"its codes are: {listed(held, 12)}"
        raise OptionError(f"code {wanted!r} is in no row of {source}, so nothing would be reviewed; {hint}")


def _codes_by_codebook(codes: list[str], table: pd.DataFrame, coded: Path) -> tuple[list[str], list[str]]:
    """``--code`` names that no row holds but that the codebook ``coded`` was made with reads
    as a code the rows hold (a former name after a rename, a label): that code, with a note."""
    from .codings import codes_as_ids
    from .meta import recorded_codebook

    held = set(table[C.CODE].astype(str))
    if set(codes) <= held:
        return codes, []
    recorded = recorded_codebook([coded], required=False)
    if recorded is None:
        return codes, []
    ids = codes_as_ids(pd.DataFrame({C.CODE: codes}), recorded[1])[C.CODE].astype(str).tolist()
    notes = [
        f"note: --code {given!r} is {code!r} in the codebook {coded} was made with ({recorded[0]})"
        for given, code in zip(codes, ids, strict=True)
        if given != code and given not in held and code in held
    ]
    return [
        code if given not in held and code in held else given for given, code in zip(codes, ids, strict=True)
    ], notes


def check_thresholds(accept_above: float | None, reject_below: float | None) -> None:
    """Both thresholds given: a score cannot be both accepted and rejected."""
    if accept_above is not None and reject_below is not None and reject_below > accept_above:
        raise OptionError(
            f"--reject-below {reject_below:g} is above --accept-above {accept_above:g}: suggestions scoring between "
            f"would be both accepted and rejected; give --reject-below at most {accept_above:g}"
        )


def review_file(
    coded: str | Path,
    output: str | Path,
    *,
    accept_above: float | None = None,
    reject_below: float | None = None,
    codes: Sequence[str] | None = None,
    coder: str = "reviewer",
) -> tuple[pd.DataFrame, list[str]]:
    """``qualcode review``: accept and reject suggestions of ``coded`` by score (or only check
    its hand-edited statuses) and write ``output``, with the ``.meta.json`` of ``coded``
    beside it (the review added to it), so that counts, shares and exports of the reviewed
    file still know every segment of the run and its transcripts. Reviewing in place keeps
    the file as it was as ``OUT.csv.bak``. Returns the table and lines to tell the user."""
    import json
    import shutil

    from .fileio import check_csv_name, write_together
    from .io.coded import read_coded
    from .io.writers import csv_writer
    from .meta import STARTED_IN, check_own_record, meta_path, meta_writer, read_meta, run_folder, started_in
    from .previous import check_not_an_input

    coded, output = Path(coded), check_own_record(check_csv_name(output))
    recorded = read_meta(coded)
    check_not_an_input(output, recorded.files_read() if recorded is not None else [])
    check_score(accept_above, "--accept-above")
    check_score(reject_below, "--reject-below")
    check_thresholds(accept_above, reject_below)
    table = check_statuses(read_coded(coded))
    notes = []
    if codes:
        codes, renamed = _codes_by_codebook(list(codes), table, coded)
        notes += renamed
        check_codes_present(list(codes), table, str(coded))
    if accept_above is not None:
        table = accept(table, code=list(codes) if codes else None, min_score=accept_above, coder=coder)
    if reject_below is not None:
        table = reject(table, code=list(codes) if codes else None, max_score=reject_below, coder=coder)
    if output.exists() and output.resolve() == coded.resolve():
        # reviewing in place: the file as it was stays beside it, so no decision is lost
        kept = output.with_name(output.name + ".bak")
        shutil.copy2(output, kept)
        notes.append(f"note: {output} reviewed in place; the file as it was is kept as {kept}")
    meta = read_meta(coded)
    items: list[tuple[str | Path, Any]] = [(output, csv_writer(table))]
    if meta is not None:
        record = json.loads(json.dumps(meta.record))
        counts = table["status"].value_counts()
        step = {
            "from": str(coded),
            "accept_above": accept_above,
            "reject_below": reject_below,
            "codes": list(codes) if codes else None,
            "coder": coder,
            "statuses": {s: int(counts.get(s, 0)) for s in ("suggested", "accepted", "rejected", "human")},
        }
        record["reviews"] = [*record.get("reviews", []), step]
        ran_in = run_folder(meta)  # its inputs are named from there, wherever this output goes
        if ran_in is not None:
            record[STARTED_IN] = started_in(output, ran_in)
        items.append((meta_path(output), meta_writer(record)))
    else:
        notes.append(
            f"warning: no {meta_path(coded).name} beside {coded}: {output} has none either, so counts over it "
            "cover coded segments only and exports need the transcripts (-i)"
        )
    write_together(items)
    stale = meta_path(output)
    if meta is None and stale.is_file() and stale.resolve() != meta_path(coded).resolve():
        stale.unlink()  # it described the file this one replaced, not this one
        notes.append(f"note: removed {stale.name}, the record of the {output.name} this review replaced")
    return table, notes
