"""qualcode: reproducible, fast qualitative coding of interview transcripts.

>>> import qualcode as qc
>>> corpus = qc.read_transcripts("examples/interviews",
...                              metadata="examples/interviews/participants.csv")
>>> codebook = qc.load_codebook("codebooks/caring_schools.yaml")
>>> coded = qc.suggest(corpus, codebook, method="keyword")

The public names are loaded on first use (``import qualcode`` itself imports no heavy
package), so ``qualcode --help`` and ``import qualcode`` stay fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .version import __version__

# public name -> module that defines it
_PUBLIC: dict[str, str] = {
    "agreement": "analysis.agreement",
    "compare_groups": "analysis.cooccurrence",
    "connections": "analysis.connections",
    "cooccurrence": "analysis.cooccurrence",
    "evaluate": "analysis.evaluate",
    "frequencies": "analysis.frequencies",
    "frequency_table": "analysis.frequencies",
    "precision_recall": "analysis.evaluate",
    "saturation": "analysis.saturation",
    "Saturation": "analysis.saturation",
    "plot_saturation": "plot_saturation",
    "tune_thresholds": "analysis.evaluate",
    "Code": "codebook",
    "Codebook": "codebook",
    "codebook_from_yaml": "codebook",
    "load_codebook": "codebook",
    "save_codebook": "codebook",
    "map_to_segments": "codings",
    "read_codings": "codings",
    "Corpus": "corpus",
    "Document": "document",
    "place_excerpts": "excerpts",
    "CodebookError": "errors",
    "ColumnError": "errors",
    "DecodeError": "errors",
    "InputFileError": "errors",
    "MetadataError": "errors",
    "ModelError": "errors",
    "NotFittedError": "errors",
    "OptionError": "errors",
    "OutputError": "errors",
    "QualcodeError": "errors",
    "QualcodeWarning": "errors",
    "RefiError": "errors",
    "read_metadata": "io",
    "read_transcripts": "io",
    "read_coded": "io.coded",
    "Matcher": "match",
    "make_matcher": "match",
    "matcher_names": "match",
    "register_matcher": "match",
    "read_meta": "meta",
    "TagResult": "pipeline",
    "tag": "pipeline",
    "RefiProject": "refi",
    "read_qdc": "refi",
    "read_qdpx": "refi",
    "read_taguette": "refi",
    "save_project": "refi",
    "to_qdc": "refi",
    "to_qdpx": "refi",
    "accept": "review",
    "accept_above": "review",
    "merge": "review",
    "reject": "review",
    "segment_documents": "segment",
    "segments_from_texts": "segment",
    "Settings": "settings",
    "suggest": "suggestions",
    "next_to_code": "active",
    "agree_files": "agreeing",
    "compare_table": "workflows",
    "corpus_for": "workflows",
    "evaluate_files": "evaluation",
    "export_filter": "workflows",
    "figure": "workflows",
    "report": "workflows",
    "review_file": "reviewing",
    "next_sheet": "active",
    "Report": "html_report",
    "build_report": "html_report",
}

__all__ = ["__version__", *sorted(_PUBLIC)]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:  # a submodule (qc.codebook.parse_codebook) loads on first use as well
        from importlib.util import find_spec

        if name.startswith("_") or find_spec(f"{__name__}.{name}") is None:
            raise AttributeError(f"module 'qualcode' has no attribute {name!r}")
        return import_module(f".{name}", __name__)
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    # what a notebook's tab completion offers: the public names, not this module's imports
    # (Any, TYPE_CHECKING, import_module) or the submodules loaded so far
    return sorted(__all__)


if TYPE_CHECKING:  # for type checkers and IDEs: the same names, imported eagerly
    from .active import next_sheet, next_to_code
    from .analysis.agreement import agreement
    from .analysis.connections import connections
    from .analysis.cooccurrence import compare_groups, cooccurrence
    from .analysis.evaluate import evaluate, precision_recall, tune_thresholds
    from .analysis.frequencies import frequencies, frequency_table
    from .analysis.saturation import Saturation, saturation
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
        NotFittedError,
        OptionError,
        OutputError,
        QualcodeError,
        QualcodeWarning,
        RefiError,
    )
    from .evaluation import evaluate_files
    from .excerpts import place_excerpts
    from .html_report import Report, build_report
    from .io import read_metadata, read_transcripts
    from .io.coded import read_coded
    from .match import Matcher, make_matcher, matcher_names, register_matcher
    from .meta import read_meta
    from .pipeline import TagResult, tag
    from .plot_saturation import plot_saturation
    from .refi import RefiProject, read_qdc, read_qdpx, read_taguette, save_project, to_qdc, to_qdpx
    from .review import accept, accept_above, merge, reject
    from .reviewing import review_file
    from .segment import segment_documents, segments_from_texts
    from .settings import Settings
    from .suggestions import suggest
    from .workflows import agree_files, compare_table, corpus_for, export_filter, figure, report
