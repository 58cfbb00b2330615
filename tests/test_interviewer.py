"""qualcode.interviewer: interviewer turns a run scores, and the warning when the human codes
it learns from lie on turns it does not score."""

from __future__ import annotations

import numpy as np
import pandas as pd

import qualcode as qc
from qualcode.interviewer import suggested_turns, uncoded_note
from qualcode.match.base import Training

from .conftest import CODEBOOK


def _training(codebook):
    segments = pd.DataFrame(
        {
            "doc_id": "d",
            "segment_id": range(4),
            "speaker": ["MODERATOR", "P1", "MODERATOR", "P1"],
            "is_interviewer": [True, False, True, False],
            "text": ["Try the search box.", "It is slow.", "Shall we go on?", "Yes."],
        }
    )
    codes = ["personnel", "strength"]
    labels = np.array([[True, False], [False, True], [True, True], [False, False]])
    return Training(segments=segments, codes=codes, labels=labels)


def test_human_codes_on_interviewer_turns_the_run_does_not_score_are_named():
    """SERDIF's coder tagged the moderator's turns (moderator_assist): learning from those
    codes, a run that skips interviewer turns never suggests them where they were given."""
    codebook = qc.load_codebook(CODEBOOK)
    train = _training(codebook)
    (line,) = uncoded_note(train, codebook, include_interviewer=False)
    assert line.startswith("3 human codes lie on interviewer turns (personnel 2, strength 1), which this run")
    assert "--include-interviewer" in line
    assert uncoded_note(train, codebook, include_interviewer=True) == []
    quiet = Training(train.segments, train.codes, train.labels & ~train.segments[["is_interviewer"]].to_numpy())
    assert uncoded_note(quiet, codebook, include_interviewer=False) == []
    # a code whose applies_to names the moderator is scored there: not named
    data = codebook.model_dump()
    for code in data["codes"]:
        if code["id"] == "personnel":
            code["applies_to"] = {"speaker": ["MODERATOR"]}
    named = type(codebook).model_validate(data)
    assert suggested_turns(train.segments, named, include_interviewer=False).tolist() == [True, True, True, True]
    (line,) = uncoded_note(train, named, include_interviewer=False)
    assert line.startswith("1 human code lies on interviewer turns (strength 1)")
