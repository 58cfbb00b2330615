"""An imported REFI-QDA project as plain files that every qualcode command reads.

::

    OUT/
      codebook.yaml        the code tree (qualcode validate / tag -c)
      sources/<doc>.txt    each text source, UTF-8, LF line ends (offsets index these texts)
      participants.csv     doc_id + the metadata of cases and variables (--metadata)
      codings.csv          the codings table (qualcode matrix / freq / agree / evaluate / review)
      codings.meta.json    what codings.csv refers to: the sources, the metadata and the unit

The folder is written whole or not at all: into a temporary folder beside it, renamed at the end.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from ..codebook import save_codebook
from ..errors import OutputError
from ..io.writers import FLOAT_FORMAT, neutralise
from ..meta import meta_writer
from ..version import __version__
from .read import RefiProject

# the files an import writes (and may replace with --force)
SOURCES, CODEBOOK, CODINGS, RECORD, PARTICIPANTS = (
    "sources",
    "codebook.yaml",
    "codings.csv",
    "codings.meta.json",
    "participants.csv",
)
OWN = frozenset({SOURCES, CODEBOOK, CODINGS, RECORD, PARTICIPANTS})
SYSTEM = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})  # written by file browsers


def _csv(frame: pd.DataFrame, path: Path) -> None:
    """The tables of an imported project, formula-like text cells neutralised: a selection or
    a case variable from someone else's project that starts with ``=`` must not run as a
    formula when the researcher opens the CSV in a spreadsheet (qualcode's readers restore
    them, as for every CSV qualcode writes)."""
    neutralise(frame).to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")


def save_project(project: RefiProject, folder: str | Path, *, force: bool = False) -> Path:
    """Write an imported project as files (module docs); ``force`` replaces an existing folder
    that holds only such files (never one holding others: a ``tag`` output written there, notes).

    Raises
    ------
    OutputError
        ``folder`` exists and is not empty (without ``force``), or cannot be written.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: is a file; give a folder to write the imported project into")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise OutputError(f"{folder}: folder is not empty; choose a new folder or pass --force to replace it")
    if folder.is_dir():
        # --force replaces the folder: never one that holds the input or the folder we work in
        target = folder.resolve()
        source = Path(project.path).resolve() if project.path else None
        if source is not None and target in source.parents:
            raise OutputError(
                f"{folder}: holds the input {project.path}; replacing it would delete the input; "
                "choose a new folder for the imported project"
            )
        here = Path.cwd().resolve()
        if target == here or target in here.parents:
            raise OutputError(
                f"{folder}: is the current folder or holds it; choose a new folder for the imported project"
            )
        others = sorted(item.name for item in folder.iterdir() if item.name not in OWN | SYSTEM)
        if others:  # a tag output, notes: --force replaces the import's files, not the researcher's
            raise OutputError(
                f"{folder}: holds files qualcode import did not write ({', '.join(others[:5])}"
                f"{' …' if len(others) > 5 else ''}), which replacing the folder would delete; move them out, "
                "or choose a new folder for the imported project"
            )
    parent = folder.parent if str(folder.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{folder}: folder {parent} does not exist; create it first")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=parent))
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write ({exc.strerror or exc}); choose another folder") from None
    try:
        _write(project, tmp, folder)
        os.chmod(tmp, 0o755)
        if folder.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=parent))
            os.replace(folder, old / folder.name)
            os.replace(tmp, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, folder)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"{folder}: cannot write ({exc.strerror or exc}); choose another folder") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def _write(project: RefiProject, tmp: Path, folder: Path) -> None:
    sources = tmp / SOURCES
    sources.mkdir()
    inputs = []
    for doc in project.corpus.documents:
        data = doc.text.encode("utf-8")
        (sources / f"{doc.doc_id}.txt").write_bytes(data)
        inputs.append({"path": str(folder / SOURCES / f"{doc.doc_id}.txt"), "sha256": hashlib.sha256(data).hexdigest()})
    if project.codebook is not None:
        save_codebook(project.codebook, tmp / CODEBOOK)
    metadata_path = None
    if len(project.metadata.columns) > 1:
        _csv(project.metadata, tmp / PARTICIPANTS)
        metadata_path = str(folder / PARTICIPANTS)
    _csv(project.codings, tmp / CODINGS)
    record = {
        "qualcode_version": __version__,
        "imported_from": {"file": project.path, "origin": project.origin, "name": project.name},
        "codebook": (
            {"name": project.codebook.name, "sha256": project.codebook.hash, "path": str(folder / CODEBOOK)}
            if project.codebook
            else None
        ),
        # human coders coded every turn, interviewers' too: later commands count them all
        "settings": {"segment_by": project.corpus.segment_by, "metadata": metadata_path, "include_interviewer": True},
        "inputs": inputs,
        "counts": {"documents": len(project.corpus), "codings": len(project.codings)},
        "warnings": project.warnings,
    }
    meta_writer(record, folder / CODINGS)(tmp / RECORD)
