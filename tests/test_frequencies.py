"""qualcode.analysis.frequencies: how many units hold each code, per group."""

from __future__ import annotations

import pandas as pd
import pytest

import qualcode as qc

from .test_cooccurrence import CODINGS


def test_frequencies_districts():
    codings = CODINGS.assign(district=["D1", "D1", "D1", "D2", "D2", "D2", "D2", "D2"])
    freq = qc.frequencies(codings, count="district")
    assert freq.set_index("code")["of"].to_dict() == {"a": "2 of 2", "b": "2 of 2", "c": "1 of 2"}
    by_role = qc.frequencies(codings, by="role", count="document").set_index(["group", "code"])
    assert by_role.loc[("svc", "c"), "n"] == 1 and by_role.loc[("sup", "c"), "n"] == 0
    table = qc.frequency_table(qc.frequencies(codings, by="role"), "share")
    assert table.loc["a", "sup"] == pytest.approx(1.0) and table.loc["c", "svc"] == pytest.approx(1.0)


def test_shares_use_every_segment_when_the_segments_table_is_given():
    codings = pd.DataFrame({"doc_id": "d", "segment_id": [0, 1], "code": ["a", "a"], "role": "sup"})
    segments = pd.DataFrame({"doc_id": "d", "segment_id": range(5), "role": "sup"})
    alone = qc.frequencies(codings).set_index("code")
    full = qc.frequencies(codings, segments=segments).set_index("code")
    assert alone.loc["a", "of"] == "2 of 2"
    assert full.loc["a", "of"] == "2 of 5" and full.loc["a", "share"] == pytest.approx(0.4)


def test_rejected_rows_are_not_counted():
    codings = pd.DataFrame(
        {"doc_id": "d", "segment_id": [0, 1, 2], "code": "a", "status": ["accepted", "rejected", "suggested"]}
    )
    assert qc.frequencies(codings).set_index("code").loc["a", "n"] == 2


def test_codes_on_interviewer_turns_are_counted_with_every_interviewer_turn_as_a_unit():
    """Interviewer turns were left out of the units, and with them every code a person gave
    them (SERDIF's moderator_assist: 111 of its 175 coded segments counted)."""
    segments = pd.DataFrame(
        {"doc_id": "d", "segment_id": range(6), "is_interviewer": [True, False, True, False, False, True]}
    )
    suggested = pd.DataFrame({"doc_id": "d", "segment_id": [1, 3], "code": "a"})
    plain = qc.frequencies(suggested, segments=segments).set_index("code")
    assert plain.loc["a", "of"] == "2 of 3"  # nothing on the interviewer's turns: they are not units
    human = pd.concat([suggested, pd.DataFrame({"doc_id": "d", "segment_id": [0], "code": ["moderator"]})])
    with pytest.warns(qc.QualcodeWarning, match="1 coding lies on interviewer turns: every interviewer turn counts"):
        counted = qc.frequencies(human, segments=segments).set_index("code")
    assert counted.loc["moderator", "of"] == "1 of 6" and counted.loc["a", "of"] == "2 of 6"
    with pytest.warns(qc.QualcodeWarning):
        matrix = qc.cooccurrence(human, segments=segments)
    assert matrix.loc["moderator", "moderator"] == 1
    coder_b = human.assign(coder="b").iloc[[0, 2]]
    with pytest.warns(qc.QualcodeWarning):
        agreement = qc.agreement(pd.concat([human.assign(coder="a"), coder_b]), segments=segments)
    assert agreement.loc["moderator", "n_units"] == 6 and agreement.loc["moderator", "cohen_kappa"] == 1.0


def test_a_code_the_codebook_no_longer_holds_is_counted_and_named():
    """With the codebook given (as every command reads the recorded one), codes renamed or
    removed since the codings were made vanished from frequencies, matrices and figures."""
    from .conftest import CODEBOOK

    codebook = qc.load_codebook(CODEBOOK)
    codings = pd.DataFrame(
        {"doc_id": "d", "segment_id": [0, 1, 2, 2], "code": ["strength", "hiring", "hiring", "caring_climate"]}
    )
    with pytest.warns(qc.QualcodeWarning, match=r"1 code of the codings is not in codebook .*'hiring' \(2 rows\)"):
        freq = qc.frequencies(codings, codebook=codebook)
    assert freq["code"].tolist() == ["caring_climate", "strength", "hiring"]  # the codebook's order, then the others
    assert freq.set_index("code").loc["hiring", "n"] == 2
    with pytest.warns(qc.QualcodeWarning, match="'hiring'"):
        matrix = qc.cooccurrence(codings, codebook=codebook)
    assert matrix.loc["hiring", "caring_climate"] == 1
