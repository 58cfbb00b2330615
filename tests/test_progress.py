"""qualcode.progress: long steps report to whoever listens, and cost nothing otherwise."""

from __future__ import annotations

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
