"""Word comments land on the words they were made on: for random paragraphs of random runs
(spaces and tabs at their ends, empty runs, empty paragraphs) and a comment over a random
stretch of runs, within a paragraph or across several, the offsets :func:`docx_comments`
gives cut exactly those runs' words out of the transcript's text."""

from __future__ import annotations

import tempfile
from pathlib import Path

import docx
from hypothesis import given
from hypothesis import strategies as st

from qualcode.io.docx import docx_comments

RUN = st.text(st.sampled_from("ab cé\t"), max_size=6)
PARAGRAPH = st.lists(RUN, min_size=1, max_size=3)


@given(st.lists(PARAGRAPH, min_size=1, max_size=4), st.data())
def test_a_comment_covers_the_words_of_its_runs(paragraphs, data):
    document = docx.Document()
    runs = []  # (paragraph number, run)
    for number, texts in enumerate(paragraphs):
        paragraph = document.add_paragraph()
        runs += [(number, paragraph.add_run(text)) for text in texts]
    first = data.draw(st.integers(0, len(runs) - 1))
    last = data.draw(st.integers(first, len(runs) - 1))
    document.add_comment([runs[first][1], runs[last][1]], text="code_a", author="Ana")
    # where the comment starts and ends in each paragraph's own text (runs before it counted)
    offsets, at = [], {}
    for number, run in runs:
        offsets.append(at.get(number, 0))
        at[number] = at.get(number, 0) + len(run.text)
    begin_para, begin = runs[first][0], offsets[first]
    end_para, end = runs[last][0], offsets[last] + len(runs[last][1].text)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.docx"
        document.save(path)
        text, comments = docx_comments(path)
    kept = []  # the covered words of each paragraph, cut as the transcript cuts the paragraph
    for n in range(begin_para, end_para + 1):
        whole = "".join(paragraphs[n])
        if not whole.strip():
            continue  # an empty paragraph is left out of the text
        lead = len(whole) - len(whole.lstrip())
        stripped = whole.strip()
        a = begin - lead if n == begin_para else 0
        b = end - lead if n == end_para else len(stripped)
        kept.append(stripped[max(a, 0) : max(min(b, len(stripped)), 0)])
    expected = "\n\n".join(kept).strip()
    if not expected:
        assert comments == [] or all(text[c["start"] : c["end"]].strip() == "" for c in comments)
        return
    (comment,) = comments
    assert text[comment["start"] : comment["end"]] == expected


CELL = st.lists(RUN, min_size=1, max_size=3)  # one paragraph's runs


@given(
    st.lists(st.lists(CELL, min_size=2, max_size=3), min_size=1, max_size=3),
    st.sampled_from(["P01", "", "a:b"]),
    st.data(),
)
def test_a_comment_in_a_table_cell_covers_the_words_of_its_runs(rows, speaker, data):
    """A transcript kept as a table (speaker | text, or more columns): a comment over runs of
    one cell's paragraph covers those words, wherever the row's line puts the cell."""
    document = docx.Document()
    table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    cells = []  # (row, column, runs)
    for i, row in enumerate(rows):
        for j in range(len(table.columns)):
            texts = ([speaker] if j == 0 else row[j]) if j < len(row) else [""]
            paragraph = table.cell(i, j).paragraphs[0]
            cells.append((i, j, [paragraph.add_run(t) for t in texts]))
    i, j, runs = data.draw(st.sampled_from([c for c in cells if c[1] > 0]))
    first = data.draw(st.integers(0, len(runs) - 1))
    last = data.draw(st.integers(first, len(runs) - 1))
    document.add_comment([runs[first], runs[last]], text="code_a", author="Ana")
    whole = "".join(r.text for r in runs)
    before = sum(len(r.text) for r in runs[:first])
    covered = whole[before : before + sum(len(r.text) for r in runs[first : last + 1])]
    lead = len(whole) - len(whole.lstrip())
    stripped = whole.strip()
    a, b = max(before - lead, 0), min(before + len(covered) - lead, len(stripped))
    expected = stripped[a:b].strip() if a < b else ""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.docx"
        document.save(path)
        text, comments = docx_comments(path)
    if not expected:  # only spaces commented: no passage
        assert comments == []
        return
    (comment,) = comments
    assert text[comment["start"] : comment["end"]] == expected
