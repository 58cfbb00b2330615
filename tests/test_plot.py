"""qualcode.plot and qualcode.workflows.figure: what each figure shows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import qualcode as qc
from qualcode import plot

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
