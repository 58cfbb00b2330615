"""qualcode: reproducible, fast qualitative coding of interview transcripts.

>>> import qualcode as qc
>>> corpus = qc.read_transcripts("examples/interviews",
...                              metadata="examples/interviews/participants.csv")
>>> codebook = qc.load_codebook("codebooks/caring_schools.yaml")
>>> coded = qc.suggest(corpus, codebook, method="keyword")
"""

from __future__ import annotations

__version__ = "0.1.0"

from .analysis import (
    agreement,
    compare_groups,
    cooccurrence,
    evaluate,
    frequencies,
    frequency_table,
    precision_recall,
    tune_thresholds,
)
from .codebook import Code, Codebook, codebook_from_yaml, load_codebook, save_codebook
from .codings import map_to_segments, read_codings
from .corpus import Corpus
from .document import Document
from .errors import (
    CodebookError,
    ColumnError,
    DecodeError,
    InputFileError,
    MetadataError,
    ModelError,
    OptionError,
    OutputError,
    QualcodeError,
    RefiError,
)
from .io import read_metadata, read_transcripts
from .io.coded import read_coded
from .pipeline import TagResult, tag
from .refi import RefiProject, read_qdc, read_qdpx, save_project, to_qdc, to_qdpx
from .review import accept, accept_above, merge, reject
from .segment import segment_documents, segments_from_texts
from .suggest import suggest

__all__ = [
    "Code",
    "Codebook",
    "CodebookError",
    "ColumnError",
    "Corpus",
    "DecodeError",
    "Document",
    "InputFileError",
    "MetadataError",
    "ModelError",
    "OptionError",
    "OutputError",
    "QualcodeError",
    "RefiError",
    "RefiProject",
    "TagResult",
    "__version__",
    "accept",
    "accept_above",
    "agreement",
    "codebook_from_yaml",
    "compare_groups",
    "cooccurrence",
    "evaluate",
    "frequencies",
    "frequency_table",
    "load_codebook",
    "map_to_segments",
    "merge",
    "precision_recall",
    "read_coded",
    "read_codings",
    "read_metadata",
    "read_qdc",
    "read_qdpx",
    "read_transcripts",
    "reject",
    "save_codebook",
    "save_project",
    "segment_documents",
    "segments_from_texts",
    "suggest",
    "tag",
    "to_qdc",
    "to_qdpx",
    "tune_thresholds",
]
