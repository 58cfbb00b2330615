"""How an output was made: versions, codebook hash, settings, models and input hashes."""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Any

from .codebook import Codebook
from .corpus import Corpus
from .fileio import sha256_file
from .version import __version__


def provenance(
    *,
    corpus: Corpus,
    codebook: Codebook,
    codebook_path: str | Path | None,
    settings: dict[str, Any],
    models: dict[str, Any],
    counts: dict[str, Any],
) -> dict[str, Any]:
    """A JSON-ready record of an output's making (no timestamps: identical runs give identical files)."""
    files: dict[str, str] = {}
    for doc in corpus.documents:
        files.setdefault(doc.path, doc.sha256)
    record: dict[str, Any] = {
        "qualcode_version": __version__,
        "python": platform.python_version(),
        "codebook": {
            "name": codebook.name,
            "version": codebook.version,
            "sha256": codebook.hash,
            "path": str(codebook_path) if codebook_path else None,
            "file_sha256": sha256_file(codebook_path) if codebook_path else None,
            "codes": codebook.ids,
        },
        "settings": settings,
        "models": models,
        "inputs": [{"path": path, "sha256": digest} for path, digest in sorted(files.items())],
        "counts": counts,
        "warnings": list(corpus.warnings),
    }
    return record
