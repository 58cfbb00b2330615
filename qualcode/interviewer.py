"""Interviewer turns: which of them qualcode scores, and whether the human codes say it should.

Interviewer turns (``is_interviewer``) stay in the segments table but get no suggestions,
unless ``include_interviewer`` or a code's ``applies_to`` names them by speaker (a code for
the moderator's interventions). Coders who tag the interviewer's turns show it in their
codes: :func:`uncoded_note` says so when a run learns from them and does not score those turns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import columns as C
from .codebook import Codebook
from .errors import counted, listed

if TYPE_CHECKING:
    from .match.base import Training

SPEAKER_RULES = (C.SPEAKER, C.IS_INTERVIEWER)


def names_speakers(code: Any) -> bool:
    """Whether a code's ``applies_to`` picks turns by who speaks (not by the participant's
    role or district, which interviewer turns share with the participant's)."""
    return any(column in SPEAKER_RULES for column in code.applies_to)


def named_interviewer_turns(segments: pd.DataFrame, codebook: Codebook) -> np.ndarray:
    """Interviewer turns that a suggested code's ``applies_to`` names by speaker (e.g.
    ``applies_to: {speaker: [MODERATOR]}`` for a code about the moderator's interventions):
    scored for those codes even when interviewer turns are not coded."""
    if C.IS_INTERVIEWER not in segments.columns:
        return np.zeros(len(segments), dtype=bool)
    interviewer = segments[C.IS_INTERVIEWER].astype(bool).to_numpy()
    named = np.zeros(len(segments), dtype=bool)
    for code, _depth, _parent in codebook.walk() if interviewer.any() else ():
        if code.suggest and names_speakers(code):
            named |= code.allowed(segments)
    return named & interviewer


def suggested_turns(segments: pd.DataFrame, codebook: Codebook, *, include_interviewer: bool) -> np.ndarray:
    """The segments qualcode suggests codes on: all of them with ``include_interviewer``;
    else the participants' turns and the interviewer turns a code names
    (:func:`named_interviewer_turns`)."""
    if include_interviewer or C.IS_INTERVIEWER not in segments.columns:
        return np.ones(len(segments), dtype=bool)
    participant = ~segments[C.IS_INTERVIEWER].astype(bool).to_numpy()
    return participant | named_interviewer_turns(segments, codebook)


def uncoded_note(train: Training | None, codebook: Codebook, *, include_interviewer: bool) -> list[str]:
    """A warning when the human codes a run learns from lie on interviewer turns that the run
    does not score for their codes: the coders code the interviewer's turns (SERDIF's
    ``moderator_assist``), and the run would never suggest those codes where they were given."""
    if include_interviewer or train is None or C.IS_INTERVIEWER not in train.segments.columns:
        return []
    segments = train.segments
    interviewer = segments[C.IS_INTERVIEWER].astype(bool).to_numpy()
    if not interviewer.any():
        return []
    found: dict[str, int] = {}
    for j, code_id in enumerate(train.codes):
        code = codebook.get(code_id) if code_id in codebook.ids else None
        turns = interviewer.copy()
        if code is not None and names_speakers(code):
            turns &= ~code.allowed(segments)
        n = int(train.labels[turns, j].sum())
        if n:
            found[code_id] = n
    if not found:
        return []
    ranked = [f"{code} {n}" for code, n in sorted(found.items(), key=lambda item: (-item[1], item[0]))]
    n = sum(found.values())
    return [
        f"{counted(n, 'human code')} {'lies' if n == 1 else 'lie'} on interviewer turns ({listed(ranked)}), which this "
        "run does not score: --include-interviewer suggests codes there too (or name the speakers in a code's "
        "applies_to)"
    ]
