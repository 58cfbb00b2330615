"""In a notebook, a file's path where a table goes is a one-line error saying what to give,
not an AttributeError from deep inside (`'str' object has no attribute 'columns'`)."""

from __future__ import annotations

import pytest

import qualcode as qc

from .conftest import EXAMPLES

CODED = str(EXAMPLES / "human_codes.csv")


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda corpus, book: qc.agreement(CODED), "codings"),
        (lambda corpus, book: qc.map_to_segments(CODED, corpus.segments), "codings"),
        (lambda corpus, book: qc.place_excerpts(CODED, corpus), "codings"),
        (lambda corpus, book: qc.evaluate(CODED, CODED, corpus.segments), "suggestions"),
        (lambda corpus, book: qc.tune_thresholds(CODED, CODED, corpus.segments), "suggestions"),
        (lambda corpus, book: qc.precision_recall(CODED, CODED, corpus.segments), "suggestions"),
        (lambda corpus, book: qc.merge(CODED, CODED, book), "previous"),
        (lambda corpus, book: qc.cooccurrence(CODED), "codings"),
        (lambda corpus, book: qc.frequencies(CODED), "codings"),
        (lambda corpus, book: qc.compare_groups(CODED, by="role"), "codings"),
        (lambda corpus, book: qc.accept(CODED), "codings"),
        (lambda corpus, book: qc.reject(CODED), "codings"),
    ],
)
def test_a_path_where_a_table_goes_says_to_read_it_first(call, argument, example_corpus, codebook):
    with pytest.raises(qc.OptionError, match=rf"^{argument}: a str, not a table; read the file first"):
        call(example_corpus, codebook)


def test_to_qdpx_with_a_path_writes_nothing(example_corpus, codebook, tmp_path):
    with pytest.raises(qc.OptionError, match=r"^codings: a str, not a table; .*qualcode export-refi CODED.csv"):
        qc.to_qdpx(example_corpus, codebook, CODED, tmp_path / "x.qdpx")
    assert not list(tmp_path.iterdir())
