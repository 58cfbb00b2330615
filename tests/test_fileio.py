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
