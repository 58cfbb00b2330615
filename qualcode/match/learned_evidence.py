"""What the learned matcher (:mod:`qualcode.match.learned`) says of its scores: each
suggestion's evidence and the warning about codes without models of their own.

Evidence
--------
``classifier p=0.81 (threshold 0.46; coded examples: 23) | models: context +1.2, words +0.8,
sentence +0.3, passage +1.9 | passage: '…' | definition cos 0.41 | nearest coded example: '…'
(cos 0.71) | zero-shot 0.62 | keywords …``: the probability and threshold, the per-code models'
decisions (log-odds), the sentence the passage model rates highest (segments of several
sentences), the cosine to the code's definition, the most similar segment a human coded with
the code, the hybrid matcher's score the shared model read, and that matcher's evidence.

A code too rare for models of its own says which score it kept: ``zero-shot 0.52 (threshold
0.40; coded examples: 1, too few for a model of its own) | …`` (the hybrid matcher's, as
without training), or ``classifier p=… | no model of its own: scored from its definition by
the model of the other codes`` when the codebook alone was shown wrong on the coded segments
(:func:`~qualcode.match.learned_thresholds.keeps_zero_shot`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import learned_features as F
from .embedding import _short
from .learned_thresholds import WRONG_ON, ZERO_SHOT_THRESHOLD

if TYPE_CHECKING:
    from .learned import ClassifierMatcher

NAMED = 8  # codes named in the note about codes without models of their own


def note(matcher: ClassifierMatcher) -> str:
    """The warning naming the codes without models of their own, and how each is scored."""
    if matcher.fallback_:
        return (
            f"too few human examples (< {matcher.min_few} of any code) to learn from: "
            "every suggestion comes from the hybrid matcher"
        )
    parts = []
    kept = [code for code in matcher.definition_only_ if code in matcher.zero_shot_]
    shared = [code for code in matcher.definition_only_ if code not in matcher.zero_shot_]
    if kept:
        parts.append(
            f"{_listed(kept, 'zero_shot')} scored from the codebook alone (the hybrid matcher, threshold "
            f"{ZERO_SHOT_THRESHOLD}), as without training"
        )
    if shared:
        parts.append(
            f"{_listed(shared, 'definition_only')} by the model learned on the other codes (on "
            f"{WRONG_ON[1]:.0%} or more of the coded segments, the codebook alone suggested each where the coders "
            "did not)"
        )
    return f"too few human examples (< {matcher.min_few}) for models of their own: " + "; ".join(parts)


def evidence(
    matcher: ClassifierMatcher, values: np.ndarray, decisions: dict[str, np.ndarray], base: dict[str, Any]
) -> dict[tuple[int, int], str]:
    """The evidence of every (segment, code) scored at least half its threshold (module docs)."""
    hybrid = base["hybrid"]
    passages: F.Passages = base["passages"]
    evidence: dict[tuple[int, int], str] = {}
    for j, code in enumerate(matcher.codes_):
        threshold = matcher.thresholds_[code]
        shown = np.flatnonzero(values[:, j] >= threshold / 2)
        if not len(shown):
            continue
        info = matcher.learned_[code]
        examples = matcher.examples_.get(code)
        nearest = base["whole"][shown] @ examples[0].T if examples is not None else None
        kept = code in matcher.zero_shot_  # scored zero-shot, not by the shared model
        for k, row in enumerate(shown.tolist()):
            if info["models"]:
                parts = [
                    f"classifier p={values[row, j]:.3f} (threshold {threshold:.2f}; "
                    f"coded examples: {info['positives']})",
                    "models: " + ", ".join(f"{v} {decisions[v][row, j]:+.1f}" for v in F.VIEWS),
                ]
                best = base["best_passage"].get(code)
                if best is not None and passages.sizes[row] > 1:
                    parts.append(f"passage: '{_short(passages.texts[int(best[row])])}'")
            elif kept:
                parts = [
                    f"zero-shot {values[row, j]:.3f} (threshold {threshold:.2f}; coded examples: "
                    f"{info['positives']}, too few for a model of its own)"
                ]
            else:
                parts = [
                    f"classifier p={values[row, j]:.3f} (threshold {threshold:.2f}; coded examples: "
                    f"{info['positives']})",
                    "no model of its own: scored from its definition by the model of the other codes",
                ]
            parts.append(f"definition cos {base['definition'][row, j]:.2f}")
            if nearest is not None and examples is not None:
                best = int(nearest[k].argmax())
                parts.append(f"nearest coded example: '{_short(examples[1][best])}' (cos {nearest[k, best]:.2f})")
            if not kept:
                parts.append(f"zero-shot {hybrid.values[row, j]:.2f}")  # a feature of the shared model
            if (row, j) in hybrid.evidence:
                parts.append(hybrid.evidence[(row, j)])
            evidence[(row, j)] = " | ".join(parts)
    return evidence


def _listed(codes: list[str], key: str) -> str:
    """The first :data:`NAMED` of ``codes``, and how many more (all in the record under ``key``)."""
    more = len(codes) - NAMED
    return ", ".join(codes[:NAMED]) + (f" and {more} more (all in the .meta.json: {key})" if more > 0 else "")


def asked(turns: int, with_codes: int = 0) -> str:
    """``, 14 of them interviewer turns`` after a count of coded segments that holds them:
    the interviewer's turns of the coded transcripts are learned from (as examples of the codes
    the coders gave them, or of none) but are not scored, and only those ``with_codes`` (``, 68
    of them interviewer turns, 64 with codes``) are among the run's "learned from"."""
    if not turns:
        return ""
    return f", {turns} of them interviewer turns" + (f", {with_codes} with codes" if with_codes else "")
