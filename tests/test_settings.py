"""qualcode.settings: one validated object, checked before any file is opened."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import qualcode as qc
from qualcode.cli import app
from qualcode.settings import Settings, table_format

from .conftest import CODEBOOK, EXAMPLES


def test_defaults_and_record_round_trip():
    settings = Settings.build(method="keyword", segment_by="sentence", interviewers=["Int"], top_k=2)
    assert settings.format == "long" and settings.min_score_for("keyword") == 0.0
    assert settings.min_score_for("hybrid") == 0.4
    record = settings.record()
    assert record["interviewers"] == ["Int"] and record["segment_by"] == "sentence"
    assert Settings.from_record(record) == settings


@pytest.mark.parametrize(
    ("options", "message", "option"),
    [
        ({"method": "keywrd"}, "method 'keywrd' is not one of: keyword, embedding, hybrid, classifier", "method"),
        ({"segment_by": "sentnce"}, "segment_by 'sentnce' is not one of: auto, turn, paragraph", "segment_by"),
        ({"format": "tall"}, "format 'tall' is not one of: long, wide", "format"),
        ({"min_score": 1.5}, "min_score", "min_score"),
        ({"top_k": 0}, "top_k", "top_k"),
        ({"window_size": 2, "window_overlap": 2}, "window_overlap 2 must be smaller than window_size 2", None),
        ({"colour": "red"}, "unknown option 'colour'", None),
    ],
)
def test_bad_options_name_the_option(options, message, option):
    with pytest.raises(qc.OptionError) as caught:
        Settings.build(**options)
    assert message in str(caught.value)
    assert caught.value.option == option


def test_old_spellings_still_work_with_a_warning():
    with pytest.warns(FutureWarning, match="'unit' is deprecated"):
        assert Settings.build(unit="sentence").segment_by == "sentence"
    with pytest.warns(FutureWarning, match="tidy"):
        assert table_format("tidy") == "long"
    assert Settings.from_record({"unit": "turn", "method": "keyword", "counts": 3}).segment_by == "turn"


def test_training_makes_the_method_a_learning_one():
    assert Settings.build(training="human.csv").method == "classifier"
    assert Settings.build(Settings(method="keyword"), training="human.csv").method == "classifier"
    assert Settings.build(method=None).method == "hybrid"


def test_a_method_that_does_not_learn_is_not_overridden_by_training_silently():
    """`tag --train human.csv --method keyword` ran the classifier without a word."""
    with pytest.raises(qc.OptionError, match="method 'keyword' does not learn from human codes"):
        Settings.build(training="human.csv", method="keyword")
    with pytest.raises(qc.OptionError, match="method 'hybrid' does not learn"):
        Settings.build(codes_column="codes", method="hybrid")


def test_training_is_one_codings_file_or_several():
    assert Settings.build(training="human.csv").training == ("human.csv",)
    assert Settings.build(training=[Path("a.csv"), "b.csv"]).training == ("a.csv", "b.csv")
    assert Settings.build(training=[]).training is None
    assert Settings.from_record({"training": "old.csv"}).training == ("old.csv",)  # older .meta.json


def test_library_checks_settings_before_reading(monkeypatch, tmp_path):
    import qualcode.pipeline as pipeline

    def never(*args, **kwargs):
        raise AssertionError("files were read before the settings were checked")

    monkeypatch.setattr(pipeline, "read_transcripts", never)
    with pytest.raises(qc.OptionError, match="method 'magic'"):
        qc.tag(EXAMPLES, CODEBOOK, tmp_path / "out.csv", method="magic")
    with pytest.raises(qc.OptionError, match="segment_by 'lines'"):
        qc.tag(EXAMPLES, CODEBOOK, tmp_path / "out.csv", segment_by="lines")


@pytest.mark.parametrize(
    ("flag", "value", "shown"),
    [("--method", "magic", "--method 'magic'"), ("--segment-by", "lines", "--segment-by 'lines'")],
)
def test_cli_fails_fast_on_a_bad_option_naming_the_flag(tmp_path, flag, value, shown):
    start = time.perf_counter()
    result = CliRunner().invoke(
        app, ["tag", str(tmp_path / "no-such-folder"), "-c", str(CODEBOOK), "-o", str(tmp_path / "o.csv"), flag, value]
    )
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {shown} is not one of")  # not the missing folder: checked first
    assert time.perf_counter() - start < 2.0
