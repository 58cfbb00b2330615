"""REFI-QDA: exchanging projects (``.qdpx``) and codebooks (``.qdc``) with NVivo, ATLAS.ti,
MAXQDA, QualCoder, Taguette and other programs.

- :func:`to_qdpx` / :func:`to_qdc` write them (:mod:`qualcode.refi.export`);
- :func:`read_qdpx` / :func:`read_qdc` read them, from any program and safely
  (:mod:`qualcode.refi.read`, :mod:`qualcode.refi.parts`, :mod:`qualcode.archive`,
  :mod:`qualcode.refi.offsets`);
- :func:`read_taguette` reads a Taguette project file (:mod:`qualcode.refi.taguette`);
- :func:`save_project` writes an imported project as files qualcode's commands read.
"""

from __future__ import annotations

from ..archive import Limits
from .codebooks import read_qdc
from .export import to_qdc, to_qdpx
from .folder import save_project
from .read import RefiProject, read_qdpx
from .schema import schema_errors
from .taguette import read_taguette

__all__ = [
    "Limits",
    "RefiProject",
    "read_qdc",
    "read_qdpx",
    "read_taguette",
    "save_project",
    "schema_errors",
    "to_qdc",
    "to_qdpx",
]
