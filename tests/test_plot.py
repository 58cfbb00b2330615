"""qualcode.plot and qualcode.workflows.figure: what each figure shows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import qualcode as qc
from qualcode import plot

from .conftest import CODEBOOK
from .test_cooccurrence import CODINGS


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in (*ax.get_xticklabels(), *ax.get_yticklabels())]


def test_heatmap_labels_its_codes_and_measure():
    fig = plot.heatmap(qc.cooccurrence(CODINGS, measure="jaccard"), measure="jaccard")
    assert {"a", "b", "c"} <= set(_texts(fig))
    assert "jaccard" in fig.axes[0].get_title()


def test_small_multiples_draw_one_panel_per_group():
    fig = plot.small_multiples(qc.cooccurrence(CODINGS, by="role"), measure="count")
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert any("sup" in t for t in titles) and any("svc" in t for t in titles)


def test_prevalence_draws_the_frequencies():
    fig = plot.prevalence(qc.frequencies(CODINGS, by="role", count="document"))
    assert fig.axes and {"a", "b", "c"} <= set(_texts(fig)) | {t.get_text() for t in fig.axes[0].texts}


def test_prevalence_legend_lists_groups_in_the_order_their_bars_stand_beside_the_axes():
    """The legend sat over the bars, in the reverse of the bars' order (viewed)."""
    fig = plot.prevalence(qc.frequencies(CODINGS, by="role", count="document"))
    bars = sorted(fig.axes[0].containers, key=lambda bar: -bar[0].get_y())  # top of a cluster first
    assert fig.axes[0].get_legend() is None and len(fig.legends) == 1
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [bar.get_label() for bar in bars]


def test_figure_refuses_what_it_would_not_draw():
    with pytest.raises(qc.OptionError, match="use kind 'multiples'"):
        qc.figure("heatmap", CODINGS, by=["role"])
    with pytest.raises(qc.OptionError, match="give by"):
        qc.figure("multiples", CODINGS)
    with pytest.raises(qc.OptionError, match="kind 'pie' is not one of"):
        qc.figure("pie", CODINGS)
    assert qc.figure("heatmap", CODINGS).axes


def test_a_grouped_matrix_is_not_a_heatmap():
    with pytest.raises(qc.OptionError, match="small_multiples"):
        plot.heatmap(qc.cooccurrence(CODINGS, by="role"))
    assert isinstance(qc.cooccurrence(CODINGS), pd.DataFrame)


def test_lift_is_drawn_on_a_scale_centred_on_chance():
    import matplotlib

    matrix = qc.cooccurrence(CODINGS, measure="lift")
    fig = plot.heatmap(matrix, measure="lift")
    image = fig.axes[0].images[0]
    neutral = matplotlib.colormaps["RdBu_r"](0.5)
    assert image.norm(1.0) == 0.5  # lift 1 (chance) gets the map's neutral middle colour
    assert image.to_rgba(1.0) == neutral
    assert image.norm(0.0) == 0.0 and image.norm(max(2.0, float(np.nanmax(matrix.to_numpy())))) == 1.0


def _png(fig, tmp_path, name="fig.png", dpi=60):
    import matplotlib.image

    path = tmp_path / name
    fig.savefig(path, dpi=dpi)
    return matplotlib.image.imread(path)


def test_lift_1_is_rendered_in_the_neutral_colour(tmp_path):
    """Rendered, not only normalised: a cell at lift 1.0 comes out white-ish, one above chance red."""
    matrix = pd.DataFrame([[3.0, 1.0, 2.5], [1.0, 3.0, 0.2], [2.5, 0.2, 3.0]], index=list("abc"), columns=list("abc"))
    fig = plot.heatmap(matrix, measure="lift", annotate=False)
    ax = fig.axes[0]
    pixels = _png(fig, tmp_path, dpi=100)
    height = pixels.shape[0]

    def colour(row, col):
        x, y = ax.transData.transform((col, row))
        return pixels[int(height - y), int(x), :3]

    neutral = colour(0, 1)
    assert np.all(np.abs(neutral - np.array([0.97, 0.97, 0.97])) < 0.04), neutral
    above = colour(0, 2)
    below = colour(1, 2)
    assert above[0] > above[2] + 0.2  # red: more often together than chance
    assert below[2] > below[0] + 0.2  # blue: less often


def test_annotations_contrast_with_their_cells():
    matrix = pd.DataFrame([[9.0, 1.0, 8.0], [1.0, 9.0, 0.0], [8.0, 0.0, 9.0]], index=list("abc"), columns=list("abc"))
    fig = plot.heatmap(matrix, measure="count")
    ax = fig.axes[0]
    image = ax.images[0]
    for text in ax.texts:
        value = float(text.get_text())
        expected = plot.text_colour(image.cmap(image.norm(value)))
        assert text.get_color() == expected
    colours = {t.get_text(): t.get_color() for t in ax.texts}
    assert colours["1"] == "black" and colours["8"] == "white"


def test_small_multiples_scale_to_the_drawn_values_not_the_diagonal():
    fig = plot.small_multiples(qc.cooccurrence(CODINGS, by="role"), measure="count")
    image = fig.axes[0].images[0]
    # off the diagonal no pair meets more than twice in a group; the diagonal (up to 3) is blank
    assert image.norm.vmax == 2.0
    ones = [t for ax in fig.axes for t in ax.texts if t.get_text() == "1"]
    assert ones and all(t.get_color() == plot.text_colour(image.cmap(image.norm(1.0))) for t in ones)


def test_grey_cells_have_a_legend():
    fig = plot.heatmap(qc.cooccurrence(CODINGS, measure="npmi"), measure="npmi")
    legend = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    assert legend == ["grey: a code with itself; never together"]
    fig = plot.small_multiples(qc.cooccurrence(CODINGS, by="role"))
    assert [t.get_text() for leg in fig.legends for t in leg.get_texts()] == ["grey: a code with itself"]


def test_labels_are_the_codebooks_when_one_is_given():
    labels = {"a": "Attention to care", "b": "Budget", "c": "Coaching"}
    fig = plot.heatmap(qc.cooccurrence(CODINGS), labels=labels)
    assert set(labels.values()) <= set(_texts(fig))
    fig = plot.prevalence(qc.frequencies(CODINGS, by="role", count="document"), labels=labels)
    assert set(labels.values()) <= set(_texts(fig))


def test_codebook_labels_reach_figures_through_figure(tmp_path):
    book = qc.load_codebook(CODEBOOK)
    codings = pd.DataFrame(
        {"doc_id": ["d1", "d1", "d2"], "segment_id": [0, 0, 1], "code": [book.ids[0], book.ids[1], book.ids[0]]}
    )
    fig = qc.figure("heatmap", codings, codebook=book)
    assert book.get(book.ids[0]).label in _texts(fig)


def test_prevalence_with_many_groups_is_capped_and_says_so(tmp_path):
    rows = [
        {"doc_id": f"d{k}", "segment_id": k, "code": code, "speaker": f"S{k:03d}"}
        for k in range(200)
        for code in ("a", "b", "c")[: 1 + k % 3]
    ]
    freq = qc.frequencies(pd.DataFrame(rows), by="speaker", count="segment")
    fig = plot.prevalence(freq)
    width, height = fig.get_size_inches()
    assert height <= plot.MAX_HEIGHT and width <= 8
    assert len(fig.axes[0].containers) == plot.MAX_GROUPS
    assert fig.notes and "200 groups" in fig.notes[0]
    assert "12 largest of 200" in fig.axes[0].get_title()


def test_prevalence_groups_get_colours_no_two_alike_and_small_shares_stay_readable():
    """From the eleventh group tab10's colours came round again (SERDIF by session: two
    sessions drawn in one orange), and shares under 0.2 were drawn on a 0-1 axis."""
    rows = [
        {"doc_id": f"d{k}", "segment_id": j, "code": "a" if j == 0 else "b", "session": f"S{k:02d}"}
        for k in range(12)
        for j in range(10)
    ]
    freq = qc.frequencies(pd.DataFrame(rows), by="session", count="segment")
    fig = plot.prevalence(freq)
    colours = [tuple(bars.patches[0].get_facecolor()) for bars in fig.axes[0].containers]
    assert len(colours) == 12 and len(set(colours)) == 12
    assert fig.axes[0].get_xlim() == pytest.approx((0.0, 0.9))  # the largest share is 0.9 (b)
    by_document = qc.frequencies(pd.DataFrame(rows), by="session", count="document")
    fig = plot.prevalence(by_document)  # one document per session: shares 0 or 1
    assert any("every share is 0 or 1: count smaller units (--count segment)" in note for note in fig.notes)


def test_heatmap_of_many_codes_stays_bounded():
    codes = [f"code_{k}" for k in range(80)]
    matrix = pd.DataFrame(np.ones((80, 80)), index=codes, columns=codes)
    width, height = plot.heatmap(matrix).get_size_inches()
    assert height <= plot.MAX_HEIGHT + 0.5 and width <= plot.MAX_HEIGHT + 2


def test_a_count_scale_has_whole_number_ticks():
    """Counts of 0-2 co-occurrences: the colour scale reads 0, 1, 2, not 0.25 steps; a
    measure that is a share keeps its fractions."""
    for figure in (
        plot.heatmap(qc.cooccurrence(CODINGS, measure="count"), measure="count"),
        plot.small_multiples(qc.cooccurrence(CODINGS, by="role"), measure="count"),
    ):
        figure.canvas.draw()
        ticks = figure.axes[-1].get_yticks()
        assert len(ticks) and all(float(t).is_integer() for t in ticks), ticks
    shares = plot.heatmap(qc.cooccurrence(CODINGS, measure="jaccard"), measure="jaccard")
    shares.canvas.draw()
    assert not all(float(t).is_integer() for t in shares.axes[-1].get_yticks())


def test_figures_name_subcodes_by_their_labels_too():
    """The framework lenses' sub-codes were drawn as their ids ('street level bureaucracy')
    beside the top-level codes' labels."""
    labels = plot.code_labels(qc.load_codebook(CODEBOOK))
    assert labels["street_level_bureaucracy"] == "Street-level bureaucracy"
    assert labels["lenses"] == "Framework lenses" and len(labels) == len(qc.load_codebook(CODEBOOK).ids)
