"""qualcode.match.learned and learned_features: thresholds, neighbours, views (no model needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from qualcode.match import learned_features as F
from qualcode.match.learned_thresholds import THRESHOLDS, kappas, own_threshold, shared_threshold


@settings(deadline=None, max_examples=20)
@given(st.integers(0, 10_000), st.floats(0.0, 0.6))
def test_kappas_equal_scikit_learn_at_every_threshold(seed, rate):
    rng = np.random.default_rng(seed)
    probability = rng.random((60, 2))
    labels = rng.random((60, 2)) < np.array([rate, 0.3])
    table = kappas(probability, labels)
    for k, threshold in enumerate(THRESHOLDS):
        for j in range(2):
            guess = probability[:, j] >= threshold
            constant = guess.all() == guess.any() or labels[:, j].all() == labels[:, j].any()
            expected = 0.0 if constant else cohen_kappa_score(labels[:, j], guess)
            assert abs(table[k, j] - expected) < 1e-9


def test_thresholds_are_chosen_on_the_given_codes_only():
    y = np.array([True] * 10 + [False] * 90)
    probability = np.where(y, 0.42, 0.05)
    assert 0.05 < own_threshold(probability, y) <= 0.42
    assert own_threshold(probability, y) == 0.42  # ties: the higher threshold
    both = np.column_stack([probability, np.zeros(100)])
    labels = np.column_stack([y, np.zeros(100, dtype=bool)])  # a code without examples is left out
    assert shared_threshold(both, labels) == (0.42, 1.0)  # and its mean kappa over the codes with examples
    assert shared_threshold(both, np.zeros((100, 2), dtype=bool)) == (0.5, None)


def test_scores_at_chance_get_the_threshold_that_suggests_as_often_as_the_codes():
    """Out-of-fold scores that do not tell the codes apart: every threshold's kappa is about
    0, the kappa-best one is noise (the grid's top left the model silent on TalkMoves). The
    threshold then matches how often the codes were applied."""
    rng = np.random.default_rng(0)
    labels = rng.random((400, 3)) < 0.1
    probability = rng.random((400, 3)) * 0.6  # unrelated to the labels
    assert kappas(probability, labels).mean(axis=1).max() < 0.1
    threshold, best = shared_threshold(probability, labels)
    assert best is not None and best < 0.1
    assert abs((probability >= threshold).mean() - labels.mean()) < 0.02 and threshold < 0.6
    informative = np.where(labels, 0.5, 0.2)  # scores that do: the kappa-best threshold
    assert shared_threshold(informative, labels) == (0.5, 1.0)


def _segments(docs: list[str], ids: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": docs,
            "segment_id": ids,
            "text": [f"t{i}" for i in range(len(docs))],
            "speaker": ["A", "B", "B", "A", "A"][: len(docs)],
            "is_interviewer": [True, False, False, True, False][: len(docs)],
        }
    )


def test_neighbours_are_the_adjacent_segments_of_the_same_document():
    segments = _segments(["a", "a", "a", "b", "b"], [0, 1, 3, 0, 1])
    previous, following = F.neighbours(segments)
    assert previous.tolist() == [-1, 0, -1, -1, 3]  # segment 3 does not follow segment 1
    assert following.tolist() == [1, -1, -1, 4, -1]
    flags = F.flags(segments, previous)
    assert flags[:, 0].tolist() == [1, 0, 0, 1, 0]  # interviewer turn
    assert flags[:, 1].tolist() == [0, 1, 0, 0, 1]  # previous turn by the interviewer
    assert flags[:, 2].tolist() == [1, 1, 1, 1, 0]  # speaker changed (or nothing before)
    assert flags[:, 3].tolist() == [1, 0, 1, 1, 0]  # nothing before it


def test_document_mean_leaves_the_segment_itself_out():
    segments = _segments(["a", "a", "a", "b"], [0, 1, 2, 0])
    values = np.array([[1.0], [2.0], [6.0], [9.0]])
    assert F.document_mean(values, segments)[:, 0].tolist() == [4.0, 3.5, 1.5, F.MISSING]
    prev, nxt = F.decision_features(values, segments)[1:3]
    assert prev[:, 0].tolist() == [F.MISSING, 1.0, 2.0, F.MISSING]
    assert nxt[:, 0].tolist() == [2.0, 6.0, F.MISSING, F.MISSING]


def test_words_view_falls_back_to_the_vector_without_a_shared_term():
    vectors = np.eye(3, dtype=np.float32)
    lone = F.Words(["alpha", "beta", "gamma"])
    assert lone.size == 0 and lone.view(vectors, ["alpha", "beta", "delta"]) is vectors
    words = F.Words(["we hired staff", "we hired counselors", "staff left"])
    view = words.view(vectors, ["we hired", "nothing here", "staff"])
    assert view.shape == (3, 3 + words.size) and view[1, 3:].nnz == 0


def test_out_of_fold_fits_on_the_examples_and_scores_their_whole_documents():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(40, 3))
    groups = np.repeat(["a", "b"], 20)
    rows = np.arange(0, 40, 2)  # every other segment was coded; the others are context only
    y = matrix[rows, 0] > 0
    out = F.out_of_fold(LogisticRegression, matrix, y, groups, rows)
    for held, other in (("a", "b"), ("b", "a")):
        fit = rows[groups[rows] == other]
        model = LogisticRegression().fit(matrix[fit], matrix[fit, 0] > 0)
        np.testing.assert_allclose(out[groups == held], model.decision_function(matrix[groups == held]))
    whole = F.out_of_fold(LogisticRegression, matrix, matrix[:, 0] > 0, groups)
    assert np.array_equal(whole, F.out_of_fold(LogisticRegression, matrix, matrix[:, 0] > 0, groups, np.arange(40)))


def test_mean_linear_scores_as_the_mean_of_its_models_dense_and_sparse():
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(1)
    matrix = rng.normal(size=(60, 5))
    models = [
        LogisticRegression().fit(matrix[part], matrix[part, 0] + matrix[part, 1] > 0)
        for part in np.array_split(rng.permutation(60), 4)
    ]
    mean = F.MeanLinear(models)
    expected = np.mean([model.decision_function(matrix) for model in models], axis=0)
    assert mean.folds == 4 and mean.coef.shape == (5,)
    np.testing.assert_allclose(mean.decision_function(matrix), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(mean.decision_function(sparse.csr_matrix(matrix)), expected, rtol=0, atol=1e-12)


def test_the_note_on_codes_without_models_names_a_few_and_counts_the_rest():
    from qualcode.match.learned import ClassifierMatcher
    from qualcode.match.learned_evidence import NAMED, note

    matcher = ClassifierMatcher(cache=None)
    matcher.fallback_ = []
    matcher.definition_only_ = [f"code_{i}" for i in range(100)]
    matcher.zero_shot_ = list(matcher.definition_only_)
    said = note(matcher)
    assert said.count("code_") == NAMED and f"and {100 - NAMED} more" in said and "zero_shot" in said
    matcher.definition_only_ = matcher.zero_shot_ = ["a", "b"]
    assert "a, b scored from the codebook alone" in note(matcher) and "more" not in note(matcher)
    matcher.definition_only_, matcher.zero_shot_ = ["a", "b"], ["b"]
    said = note(matcher)
    assert "b scored from the codebook alone" in said and "a by the model learned on the other codes" in said


def test_a_zero_shot_score_shown_wrong_on_the_coded_segments_is_not_kept():
    from qualcode.match.learned_thresholds import keeps_zero_shot

    n = 40
    labels = np.zeros((n, 5), dtype=bool)
    labels[:3, 0] = True  # code 0 has models of its own
    labels[0, 1] = True  # code 1: one example
    zero_shot = np.zeros((n, 5))
    zero_shot[:, 1] = 0.9  # suggested on all 40 coded segments, right on one
    zero_shot[:4, 2] = 0.5  # wrong on 4: too few to tell
    zero_shot[:7, 3] = 0.5  # wrong on 7 of 40, under a fifth: kept
    zero_shot[:8, 4] = 0.39  # under the threshold: never wrong
    own = np.array([True, False, False, False, False])
    assert keeps_zero_shot(zero_shot, labels, own).tolist() == [False, False, True, True, True]
    zero_shot[:8, 3] = 0.5  # wrong on 8 of 40, a fifth
    assert keeps_zero_shot(zero_shot, labels, own).tolist() == [False, False, True, False, True]
    # a first batch of 20: wrong on 4 is a fifth but fewer than 5 segments
    assert keeps_zero_shot(zero_shot[:20], labels[:20], own)[2]


def test_the_zero_shot_score_can_only_raise_the_shared_probability():
    """Pairs whose labels fall as the zero-shot score rises: the shared model still never
    gives a higher zero-shot score a lower probability (monotonic constraint)."""
    from qualcode.match.learned import _shared

    rng = np.random.default_rng(0)
    width = F.ZERO_SHOT_COLUMN + 4
    pairs = rng.random((600, width))
    labels = (pairs[:, 0] + (1 - pairs[:, F.ZERO_SHOT_COLUMN]) + 0.3 * rng.random(600)) > 1.2
    model = _shared(width, 15).fit(pairs, labels)
    grid = np.tile(pairs[:5], (11, 1, 1))
    grid[:, :, F.ZERO_SHOT_COLUMN] = np.linspace(0, 1, 11)[:, None]
    probability = model.predict_proba(grid.reshape(-1, width))[:, 1].reshape(11, 5)
    assert (np.diff(probability, axis=0) >= -1e-12).all()
    # unconstrained, the same data teach the opposite: the constraint is what holds it
    free = _shared(width, 15).set_params(monotonic_cst=None).fit(pairs, labels)
    loose = free.predict_proba(grid.reshape(-1, width))[:, 1].reshape(11, 5)
    assert (loose[-1] < loose[0]).all()


def test_the_shared_trees_grow_with_the_coded_pairs():
    """A hundred coded turns fill few leaves; thousands of coded sentences the full 15."""
    from qualcode.match.learned import MIN_LEAVES, POSITIVES_PER_LEAF, SHARED_MODEL, leaves

    assert leaves(0) == leaves(30) == MIN_LEAVES == 4
    assert leaves(340) == 340 // POSITIVES_PER_LEAF == 7
    assert leaves(1800) == SHARED_MODEL["max_leaf_nodes"] == 15
    sizes = [leaves(n) for n in range(0, 2000, 7)]
    assert sizes == sorted(sizes)


def test_pair_features_put_the_zero_shot_score_where_the_constraint_is():
    rng = np.random.default_rng(1)
    raw, zero_shot = rng.random((4, 3)), rng.random((4, 3))
    reference = {
        "raw_mean": np.zeros(3),
        "raw_spread": np.ones(3),
        "definition_mean": np.zeros(3),
        "definition_spread": np.ones(3),
        "log_prior": np.zeros(3),
        "log_examples": np.zeros(3),
    }
    pairs = F.pair_features(
        raw=raw,
        definition=raw,
        hybrid=raw,
        reference=reference,
        lengths=np.ones(4),
        decisions=[],
        segments=_segments(["a"] * 4, [0, 1, 2, 3]),
        zero_shot=zero_shot,
    )
    assert np.array_equal(pairs[:, :, F.ZERO_SHOT_COLUMN], zero_shot)
