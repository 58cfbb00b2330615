"""qualcode.progress: long steps report to whoever listens, and cost nothing otherwise."""

from __future__ import annotations

import pytest

import qualcode as qc
from qualcode import progress


def test_reports_reach_a_listener_only_while_it_listens():
    heard = []
    assert not progress.active()
    progress.report("encoding", 1, 2)  # nobody listens: nothing happens
    with progress.listening(lambda stage, done, total: heard.append((stage, done, total))):
        assert progress.active()
        progress.report("encoding", 1, 2)
        progress.report("encoding", 2, 2)
    progress.report("encoding", 3, 3)
    assert heard == [("encoding", 1, 2), ("encoding", 2, 2)] and not progress.active()


def test_notebooks_show_progress_by_default(monkeypatch, capsys):
    """In Jupyter (faked here) long steps draw tqdm bars without being asked; outside they do not."""
    from qualcode import progress

    def work():
        for k in range(1, 4):
            progress.report("encoding sentences", k, 3)

    monkeypatch.delenv("QUALCODE_PROGRESS", raising=False)
    progress.shows_progress(work)()
    assert "qualcode: encoding sentences" not in capsys.readouterr().err
    monkeypatch.setattr(progress, "in_notebook", lambda: True)
    progress.shows_progress(work)()
    assert "qualcode: encoding sentences" in capsys.readouterr().err
    monkeypatch.setenv("QUALCODE_PROGRESS", "0")
    progress.shows_progress(work)()
    assert "qualcode" not in capsys.readouterr().err


def test_nested_calls_draw_one_set_of_bars(monkeypatch):
    from qualcode import progress

    monkeypatch.setattr(progress, "in_notebook", lambda: True)
    seen = []
    with progress.listening(lambda *a: seen.append(a)):
        progress.shows_progress(lambda: progress.report("learning codes", 1, 2))()
    assert seen == [("learning codes", 1, 2)]  # the outer listener got it; no second bar


@pytest.mark.model
def test_suggest_reports_encoding_progress_in_a_notebook(monkeypatch, capsys, codebook):
    from qualcode import progress

    monkeypatch.setattr(progress, "in_notebook", lambda: True)
    segments = qc.segments_from_texts([f"We rebuilt our counselling referrals, step {k}." for k in range(5)])
    qc.suggest(segments, codebook, method="embedding", cache=None)
    assert "qualcode: encoding sentences" in capsys.readouterr().err


def test_the_long_public_steps_show_progress_in_jupyter():
    import qualcode as qc

    for function in (qc.tag, qc.suggest, qc.next_to_code):
        assert getattr(function, "__wrapped__", None) is not None, function.__name__
        assert function.__name__ in {"tag", "suggest", "next_to_code"}
