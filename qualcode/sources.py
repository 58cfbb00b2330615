"""Have the transcripts changed since a run? Codings hold offsets into the text a run read;
the run's ``.meta.json`` records each input's SHA-256, so a later command can tell a
transcript edited since (its offsets would point at other words) from the same file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputFileError

if TYPE_CHECKING:
    from .corpus import Corpus
    from .document import Document


def changed_since(corpus: Corpus, coded: str | Path) -> list[str]:
    """The transcripts of ``corpus`` whose content differs from what the run that wrote
    ``coded`` read (same file, by path or else by file name; SHA-256 recorded in its
    ``.meta.json``)."""
    return changed_files(corpus.documents, coded)


def changed_files(documents: Sequence[Document], coded: str | Path) -> list[str]:
    """The files of ``documents`` changed since the run that wrote ``coded`` (:func:`changed_since`)."""
    from .meta import read_meta, run_folder

    meta = read_meta(coded)
    if meta is None:
        return []
    recorded = [item for item in meta.record.get("inputs", []) if isinstance(item, dict) and item.get("sha256")]
    started = run_folder(meta)  # the record's paths are relative to where its run started (else to here)
    by_path = {str(((started or Path()) / item["path"]).resolve()): item["sha256"] for item in recorded}
    names = Counter(Path(item["path"]).name for item in recorded)  # a name two inputs share identifies neither
    by_name = {Path(item["path"]).name: item["sha256"] for item in recorded if names[Path(item["path"]).name] == 1}
    changed = []
    for path, digest in sorted({str(doc.path): doc.sha256 for doc in documents if doc.sha256}.items()):
        before = by_path.get(str(Path(path).resolve()), by_name.get(Path(path).name))
        if before is not None and before != digest:
            changed.append(path)
    return changed


def check_unchanged(corpus: Corpus, coded: str | Path) -> None:
    """Refuse transcripts changed since the run that wrote ``coded`` (:func:`changed_since`)."""
    changed = changed_since(corpus, coded)
    if changed:
        more = f" (and {len(changed) - 1} more)" if len(changed) > 1 else ""
        raise InputFileError(
            f"{changed[0]}{more}: changed since {coded} was made (its SHA-256 is not the one in "
            f"{Path(coded).stem}.meta.json), so the codings' offsets would point at other words; restore the file, "
            "or re-run qualcode tag on it"
        )
