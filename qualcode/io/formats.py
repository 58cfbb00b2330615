"""One transcript in several formats: speech-recognition tools write every format at once
(Whisper and WhisperX's default ``--output_format all``: .json .srt .tsv .txt .vtt; Otter.ai
exports .txt .srt .docx), so a folder holds ``d01.json`` beside ``d01.srt``. When such files
hold the same words, one is read: the one that keeps the most (speakers, then times, then the
format's place in :data:`RICHNESS`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..document import Document
from ..errors import InputFileError, counted, listed

# fullest first: segment times and speakers (.json), cue times and speakers (.vtt, .srt), the
# layout of a document, speakers without times (.txt), times without speakers (Whisper's .tsv)
RICHNESS = (
    ".json",
    ".vtt",
    ".srt",
    ".docx",
    ".odt",
    ".rtf",
    ".html",
    ".htm",
    ".xhtml",
    ".txt",
    ".md",
    ".markdown",
    ".pdf",
)
WORD = re.compile(r"\w+")


def richness(path: Path) -> int:
    """A format's place in :data:`RICHNESS` (lower keeps more; tables last)."""
    suffix = path.suffix.lower()
    return RICHNESS.index(suffix) if suffix in RICHNESS else len(RICHNESS)


def fullness(doc: Document, path: Path) -> tuple[bool, bool, int]:
    """How much a reading of a transcript keeps, to choose among its formats: speakers first
    (Otter.ai's .srt has times but no speakers, its .txt both), then times, then the format's
    place in :data:`RICHNESS`."""
    return (doc.has_speakers, bool(doc.times), -richness(path))


def spoken_words(doc: Document) -> list[str]:
    """The words said in a document, in order, lower case: the text of its turns (speaker
    labels and time stamps outside them left out), or all its text when it has no turns."""
    spans = [doc.text[turn.start : turn.end] for turn in doc.turns] if doc.turns else [doc.text]
    return [word.lower() for span in spans for word in WORD.findall(span)]


def same_words(a: Document, b: Document) -> bool:
    """Whether two documents hold the same words in the same order (one transcript written in
    two formats), speaker labels, times and layout aside."""
    words = spoken_words(a)
    return bool(words) and words == spoken_words(b)


@dataclass
class Gathered:
    """The documents of a run, one per id: a second file with a document's id is an error
    (``rename one file``) unless it is the same transcript in another format, when the fuller
    of the two is kept and :meth:`notes` says which files were left out."""

    documents: list[Document] = field(default_factory=list)
    where: dict[str, Path] = field(default_factory=dict)
    formats: dict[str, list[Path]] = field(default_factory=dict)  # id -> every file holding it
    by_folder: bool = False  # ids name the folder too (read_transcripts' ids="folder")

    def add(self, doc: Document, path: Path, *, alone: bool) -> None:
        """Add ``doc``, read from ``path`` (``alone``: the only document of its file)."""
        first = self.where.get(doc.doc_id)
        if first is None:
            self.where[doc.doc_id] = path
            self.documents.append(doc)
            return
        kept = next(i for i, other in enumerate(self.documents) if other.doc_id == doc.doc_id)
        files = self.formats.get(doc.doc_id, [first])
        if (
            not alone
            or path.suffix.lower() in {f.suffix.lower() for f in files}
            or not same_words(self.documents[kept], doc)
        ):
            raise InputFileError(
                f"{path}: document id {doc.doc_id!r} is also used by {first}; {self._fix(path, first)}"
            )
        self.formats[doc.doc_id] = [*files, path]
        if fullness(doc, path) > fullness(self.documents[kept], first):
            self.documents[kept], self.where[doc.doc_id] = doc, path

    def _fix(self, path: Path, first: Path) -> str:
        """What to do about two files of one document id: in two folders of other names
        (``d01/superintendent.docx``, ``d02/superintendent.docx``), name documents by folder too."""
        there, here = path.resolve().parent, first.resolve().parent
        if not self.by_folder and there != here and there.name != here.name:
            return (
                f"rename one file, or name documents by their folder too: --ids folder (ids='folder' in Python; "
                f"ids such as '{here.name}/{first.stem}')"
            )
        return "rename one file (ids are file names without extension" + (
            ", after their folder's name)" if self.by_folder else ")"
        )

    def notes(self) -> list[str]:
        """One line per kind of choice: transcripts given in several formats with the same
        words, the format read and those left out."""
        groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        for doc_id, files in self.formats.items():
            read = self.where[doc_id]
            others = tuple(sorted({path.suffix.lower() for path in files if path != read}))
            groups.setdefault((read.suffix.lower(), others), []).append(doc_id)
        lines = []
        for (kept, others), ids in sorted(groups.items()):
            one = len(ids) == 1
            lines.append(
                f"{counted(len(ids), 'transcript')} {'is' if one else 'are'} given in several formats with the "
                f"same words ({listed([repr(i) for i in sorted(ids)], 3)}): read from {'its' if one else 'their'} "
                f"{kept}, {'its' if one else 'their'} {', '.join(others)} left out (a transcript counts once)"
            )
        return lines
