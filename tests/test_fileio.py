"""qualcode.fileio: checked, atomic writes that never leave a half-written file."""

from __future__ import annotations

import hashlib

import pytest

import qualcode as qc
from qualcode.fileio import atomic_write, atomic_write_text, check_writable, sha256_file


def test_sha256_of_a_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"abc")
    assert sha256_file(path) == hashlib.sha256(b"abc").hexdigest()


def test_unwritable_targets_fail_before_any_work(tmp_path):
    with pytest.raises(qc.OutputError, match="is a folder"):
        check_writable(tmp_path)
    with pytest.raises(qc.OutputError, match="does not exist; create it first"):
        check_writable(tmp_path / "no" / "x.csv")


def test_a_failing_writer_leaves_the_old_file_and_no_temporary(tmp_path):
    path = atomic_write_text(tmp_path / "out.csv", "old\n")

    def broken(tmp):
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("crash in the middle")

    with pytest.raises(RuntimeError):
        atomic_write(path, broken)
    assert path.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_stale_temporary_files_of_dead_processes_are_cleaned(tmp_path):
    import os

    from qualcode.fileio import atomic_write_text

    target = tmp_path / "coded.csv"
    dead = tmp_path / ".coded.csv.999999999.abc123.tmp"  # a PID that cannot be running
    mine = tmp_path / f".coded.csv.{os.getpid()}.xyz789.tmp"  # a live process's: left alone
    dead.write_text("half", encoding="utf-8")
    mine.write_text("in progress", encoding="utf-8")
    atomic_write_text(target, "a,b\n")
    assert not dead.exists() and mine.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, mine.name])


def test_a_pair_interrupted_between_renames_is_finished_by_the_next_reader(tmp_path, monkeypatch):
    """Killed after both temporary files were complete: the next read pairs the new CSV with the
    new record, never the new CSV with the old record."""
    from qualcode import fileio
    from qualcode.meta import read_meta

    csv, meta = tmp_path / "coded.csv", tmp_path / "coded.meta.json"
    fileio.write_together([(csv, lambda t: t.write_text("old\n")), (meta, lambda t: t.write_text('{"v": 1}'))])
    monkeypatch.setattr(fileio, "recover", lambda path: False)  # the process dies before renaming
    fileio.write_together([(csv, lambda t: t.write_text("new\n")), (meta, lambda t: t.write_text('{"v": 2}'))])
    monkeypatch.undo()
    assert csv.read_text() == "old\n" and (tmp_path / ".coded.csv.commit").exists()
    read_meta(csv)  # any reader of the pair finishes the write first
    assert csv.read_text() == "new\n" and meta.read_text() == '{"v": 2}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["coded.csv", "coded.meta.json"]


def test_a_pair_that_fails_before_its_journal_changes_nothing(tmp_path):
    from qualcode import fileio

    csv, meta = tmp_path / "coded.csv", tmp_path / "coded.meta.json"
    fileio.write_together([(csv, lambda t: t.write_text("old\n")), (meta, lambda t: t.write_text("{}"))])

    def broken(tmp):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        fileio.write_together([(csv, lambda t: t.write_text("new\n")), (meta, broken)])
    assert csv.read_text() == "old\n" and meta.read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["coded.csv", "coded.meta.json"]
