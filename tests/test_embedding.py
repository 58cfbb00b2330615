from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import qualcode as qc
from qualcode.embed import cache as cache_module
from qualcode.embed.cache import CachedEncoder, EmbeddingCache
from qualcode.embed.sentence_transformers import SentenceTransformerEncoder
from qualcode.match.embedding import EmbeddingMatcher, margin_score, prototypes
from qualcode.match.hybrid import HybridMatcher, combine

pytestmark = pytest.mark.model


@pytest.fixture(autouse=True)
def _no_memory_layer():
    """Each test sees only what is on disk (the in-process vector memory starts empty)."""
    cache_module._MEMORY.clear()
    yield
    cache_module._MEMORY.clear()


TEXTS = [
    "We hired two more counselors and a nurse.",
    "Thank you so much for your time today.",
    "When the buildings closed in the spring, we delivered laptops and meals to families.",
]


@pytest.fixture(scope="module")
def encoder():
    return SentenceTransformerEncoder()


@pytest.fixture(scope="module")
def matcher(codebook, encoder):
    return EmbeddingMatcher(encoder=encoder).fit(codebook)


def test_encoder_gives_unit_vectors(encoder):
    vectors = encoder.encode(["hello there", "we hired counselors"])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert encoder.identity.startswith("sentence-transformers/all-MiniLM-L6-v2@")


def test_prototypes_cover_description_examples_and_children(codebook):
    kinds = [kind for kind, _ in prototypes(codebook.get("lenses"))]
    assert kinds.count("child") == 4 and kinds[0] == "description"
    assert [kind for kind, _ in prototypes(codebook.get("personnel"))].count("example") == 4


def test_best_code_for_paraphrases(matcher):
    scores = matcher.score(qc.segments_from_texts(TEXTS))
    best = [scores.codes[int(i)] for i in scores.raw.argmax(axis=1)]
    assert best[0] == "personnel"
    assert best[2] == "covid_lessons"
    assert scores.values[1].max() == 0.0  # small talk gets no code
    assert ((scores.values >= 0) & (scores.values <= 1)).all()


def test_calibration_is_monotonic_and_documented(matcher):
    raw = np.linspace(-0.2, 1.0, 50)[:, None].repeat(len(matcher.codes_), axis=1)
    raw[:, 0] = 0.2  # one code held still, so the others' margins move
    calibrated = matcher.calibrate(raw)
    assert (np.diff(calibrated[:, 1:], axis=0) >= 0).all()
    assert ((calibrated >= 0) & (calibrated < 1)).all()
    # the documented points of the margin → score map
    assert margin_score(np.array([0.05, 0.13, 0.25, 0.40])) == pytest.approx([0.0, 0.40, 0.72, 0.89], abs=0.005)


def test_margin_is_against_the_other_codes_and_the_background(matcher):
    k = len(matcher.codes_)
    j = matcher.codes_.index("personnel")
    raw = np.full((1, k), 0.30)
    raw[0, j] = 0.55
    expected = 0.55 - (0.30 * (k - 1) + matcher.background_[j]) / k
    assert matcher.margins(raw)[0, j] == pytest.approx(expected)
    # a segment as close to every code scores nothing, however close
    assert matcher.calibrate(np.full((1, k), 0.9)).max() < matcher.calibrate(raw)[0, j]
    assert matcher.calibrate(np.full((1, k), matcher.background_.mean())).max() == 0.0


def test_long_segment_scored_by_its_best_sentence(matcher):
    sentence = TEXTS[0]
    filler = "The meeting was on a Tuesday. We talked for a while. The coffee was cold. It rained all day."
    scores_long = matcher.score(qc.segments_from_texts([f"{filler} {sentence} {filler}"]))
    long_raw = scores_long.raw.copy()
    alone = matcher.score(qc.segments_from_texts([sentence]))
    j = matcher.codes_.index("personnel")
    assert long_raw[0, j] == pytest.approx(alone.raw[0, j], abs=1e-5)
    evidence = scores_long.evidence[(0, j)]
    quoted, start, end = re.match(r"'(.*)' \[(\d+):(\d+)\]", evidence).groups()
    text = f"{filler} {sentence} {filler}"
    assert text[int(start) : int(end)] == sentence and quoted.startswith("We hired two more")
    assert "~ '" in evidence and "(cos " in evidence
    # the score: half the sentence's own score (against the other codes on that sentence, so
    # the filler around it takes nothing away), half the segment's (each code's best sentence
    # against the other codes' best sentences)
    assert f"sentence {alone.values[0, j]:.2f}, whole segment" in evidence
    whole = matcher.calibrate(scores_long.raw)[0, j]
    assert scores_long.values[0, j] == pytest.approx((alone.values[0, j] + whole) / 2, abs=1e-6)
    assert alone.values[0, j] > whole  # four sentences near other codes lower the segment part


def test_two_sentences_score_half_their_better_sentence_half_the_segment(matcher):
    """A segment of two sentences (no whole-segment unit below three) scores, per code, the
    mean of its better sentence's score alone and the margin score of the segment's best
    cosines; a code only one sentence is about keeps at least half its sentence score."""
    first, second = TEXTS[0], TEXTS[2]
    both = matcher.score(qc.segments_from_texts([f"{first} {second}"]))
    alone = matcher.score(qc.segments_from_texts([first, second])).values
    expected = (alone.max(axis=0) + matcher.calibrate(both.raw)[0]) / 2
    assert both.values[0] == pytest.approx(expected, abs=1e-6)
    for code in ("personnel", "covid_lessons"):
        j = matcher.codes_.index(code)
        assert both.values[0, j] >= alone[:, j].max() / 2 and alone[:, j].max() >= 0.4


def test_content_free_sentences_inside_a_turn_score_near_nothing(matcher):
    """A turn of interjections and names scores at most 0.1 for every code (the bound for
    content-free segments), a sentence of names alone 0."""
    turn = "Mm-hmm, yeah, yeah. Okay, okay, right, right. Michael? Jason, yes, you. Uh-huh, sure, sure."
    scores = matcher.score(qc.segments_from_texts([turn, "Michael? Jason, yes, you."]))
    assert scores.values.max() <= 0.1
    assert scores.values[1].max() == 0.0


def test_hybrid_rule_and_evidence(codebook, encoder):
    assert combine(np.array([0.5]), np.array([0.0]))[0] == pytest.approx(0.3)
    assert combine(np.array([0.0]), np.array([0.7]))[0] == pytest.approx(0.7)
    assert combine(np.array([0.5]), np.array([0.5]))[0] == pytest.approx(0.65)
    hybrid = HybridMatcher(encoder=encoder).fit(codebook)
    scores = hybrid.score(qc.segments_from_texts(["We hired two counselors and a social worker for our schools."]))
    j = scores.codes.index("personnel")
    assert scores.values[0, j] > 0.5
    assert "keywords" in scores.evidence[(0, j)] and "embedding" in scores.evidence[(0, j)]


def test_suggest_defaults_to_hybrid(example_corpus, codebook, encoder):
    coded = qc.suggest(example_corpus, codebook, encoder=encoder)
    assert set(coded["method"]) == {"hybrid"}
    assert coded["score"].min() >= 0.4
    top = coded.sort_values("score", ascending=False).drop_duplicates(["doc_id", "segment_id"])
    # the examples are written so that most turns have an obvious main theme
    assert top["code"].nunique() >= 8


class WrongShape:
    identity = "wrong"
    dimension = 3

    def encode(self, texts):
        return np.ones((len(texts) + 1, 3))


class NotFinite:
    identity = "nan"
    dimension = 2

    def encode(self, texts):
        return np.full((len(texts), 2), np.nan)


def test_bad_encoders_are_clear_errors(codebook, tmp_path):
    with pytest.raises(qc.ModelError, match=r"returned an array of shape \(\d+, 3\) for \d+ texts"):
        EmbeddingMatcher(encoder=WrongShape()).fit(codebook)
    with pytest.raises(qc.ModelError, match="NaN"):
        EmbeddingMatcher(encoder=NotFinite()).fit(codebook)
    with pytest.raises(qc.ModelError, match="no encode"):
        EmbeddingMatcher(encoder=object()).fit(codebook)
    with pytest.raises(qc.ModelError, match="model folder not found"):
        SentenceTransformerEncoder(tmp_path / "nowhere")
    (tmp_path / "empty_model").mkdir()
    (tmp_path / "empty_model" / "config.json").write_text("{}", encoding="utf-8")
    with pytest.raises(qc.ModelError, match="no model weights"):
        SentenceTransformerEncoder(tmp_path / "empty_model")


def test_broken_weights_are_a_clear_error(tmp_path):
    broken = tmp_path / "broken_model"
    broken.mkdir()
    (broken / "config.json").write_text("{}", encoding="utf-8")
    (broken / "model.safetensors").write_bytes(b"garbage")
    encoder = SentenceTransformerEncoder(broken)
    with pytest.raises(qc.ModelError, match="cannot load the embedding model"):
        encoder.encode(["x"])


class Counting:
    """A real encoder that counts what it is asked to encode."""

    def __init__(self, inner):
        self.inner = inner
        self.identity = inner.identity
        self.dimension = inner.dimension
        self.calls: list[int] = []

    def encode(self, texts):
        self.calls.append(len(texts))
        return self.inner.encode(texts)


def test_cache_reuses_vectors_and_codebook_edit_encodes_only_the_codebook(codebook, encoder, tmp_path, example_corpus):
    counting = Counting(encoder)
    cache = EmbeddingCache(tmp_path / "cache")
    seg = example_corpus.segments.head(12)
    first = EmbeddingMatcher(encoder=CachedEncoder(counting, cache)).fit(codebook)
    a = first.score(seg)
    encoded_first = sum(counting.calls)
    counting.calls.clear()
    cache_module._MEMORY.clear()  # a new process: only the disk cache remains
    # edit the codebook: one new example
    data = codebook.to_dict()
    data["codes"][4]["examples"].append("We posted three new openings for school nurses.")
    edited = qc.codebook.parse_codebook(data)
    second = EmbeddingMatcher(encoder=CachedEncoder(counting, cache)).fit(edited)
    b = second.score(seg)
    assert sum(counting.calls) == 1  # only the new example was encoded
    assert encoded_first > 100
    unchanged = [j for j, c in enumerate(a.codes) if c != "personnel"]
    # raw similarities of the other codes are the same vectors (only their reference pool,
    # which holds the other codes' prototypes as near misses, gained one sentence)
    assert np.allclose(a.raw[:, unchanged], b.raw[:, unchanged], atol=1e-6)


def test_damaged_cache_file_is_rebuilt(encoder, tmp_path):
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "embeddings.sqlite3").write_bytes(b"this is not a database" * 100)
    cache = EmbeddingCache(folder)
    assert any("damaged" in note for note in cache.notes)
    vectors = CachedEncoder(encoder, cache).encode(["we hired counselors"])
    assert np.allclose(vectors, encoder.encode(["we hired counselors"]), atol=1e-6)
    assert (folder / "embeddings.sqlite3.broken").exists()


def test_damaged_row_is_recomputed_never_returned(encoder, tmp_path):
    import sqlite3

    cache = EmbeddingCache(tmp_path / "cache")
    cached = CachedEncoder(encoder, cache)
    good = cached.encode(["we hired counselors"])
    connection = sqlite3.connect(cache.path)
    connection.execute("UPDATE vectors SET vec = zeroblob(length(vec))")  # bytes damaged, checksum kept
    connection.commit()
    connection.close()
    cache_module._MEMORY.clear()
    again = CachedEncoder(encoder, EmbeddingCache(tmp_path / "cache")).encode(["we hired counselors"])
    assert np.allclose(again, good, atol=1e-6)


def test_concurrent_writers(encoder, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"sentence number {i} about hiring" for i in range(40)]
    expected = encoder.encode(texts)

    def work(part: int) -> np.ndarray:
        local = CachedEncoder(encoder, EmbeddingCache(tmp_path / "common"))
        return local.encode(texts[part::2] + texts)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, [0, 1, 0, 1]))
    for result in results:
        assert np.allclose(result[-40:], expected, atol=1e-5)
    final = CachedEncoder(encoder, EmbeddingCache(tmp_path / "common")).encode(texts)
    assert np.allclose(final, expected, atol=1e-5)


def test_unusable_cache_folder_computes_without_it(encoder, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    cache = EmbeddingCache(blocker / "sub")
    assert cache.notes and "unusable" in cache.notes[0]
    assert CachedEncoder(encoder, cache).encode(["x"]).shape == (1, 384)


@pytest.mark.model
def test_encoder_reports_progress_in_chunks_when_someone_listens():
    from qualcode.embed.sentence_transformers import PROGRESS_CHUNK, SentenceTransformerEncoder
    from qualcode.progress import listening

    encoder = SentenceTransformerEncoder()
    texts = [f"care {i}" for i in range(PROGRESS_CHUNK + 8)]
    seen: list[tuple[str, int, int]] = []
    with listening(lambda stage, done, total: seen.append((stage, done, total))):
        chunked = encoder.encode(texts)
    assert seen == [("encoding sentences", PROGRESS_CHUNK, len(texts)), ("encoding sentences", len(texts), len(texts))]
    assert np.allclose(chunked, encoder.encode(texts), atol=1e-5)  # the same vectors as in one call


@pytest.mark.parametrize("damage", ["cut", "nan"])
def test_cached_rows_of_the_wrong_size_or_not_finite_are_recomputed(encoder, tmp_path, damage):
    import sqlite3
    import zlib

    cache = EmbeddingCache(tmp_path / "cache")
    good = CachedEncoder(encoder, cache).encode(["we hired counselors", "we trained principals"])
    connection = sqlite3.connect(cache.path)
    for key, blob in connection.execute("SELECT key, vec FROM vectors").fetchall():
        vector = np.frombuffer(blob, dtype=np.float32)
        bad = vector[:128].copy() if damage == "cut" else np.full_like(vector, np.nan)
        raw = bad.tobytes()  # a consistent row: size and checksum match its (wrong) content
        connection.execute(
            "UPDATE vectors SET vec = ?, dim = ?, crc = ? WHERE key = ?", (raw, len(raw) // 4, zlib.crc32(raw), key)
        )
    connection.commit()
    connection.close()
    cache_module._MEMORY.clear()
    fresh = EmbeddingCache(tmp_path / "cache")
    again = CachedEncoder(encoder, fresh).encode(["we hired counselors", "we trained principals"])
    assert again.shape == good.shape and np.allclose(again, good, atol=1e-6)
    assert any("2 stored vectors were damaged" in note for note in fresh.notes)


def test_model_fingerprint_reads_the_weights_not_their_size(tmp_path):
    from qualcode.embed.sentence_transformers import _fingerprint

    for name, fill in (("a", b"\1"), ("b", b"\2")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "config.json").write_text("{}", encoding="utf-8")
        (folder / "model.safetensors").write_bytes(fill * (2 << 20))  # same size, other content
    assert _fingerprint(tmp_path / "a") != _fingerprint(tmp_path / "b")


def test_background_part_compares_with_the_background_alone(matcher):
    scores = matcher.score(qc.segments_from_texts([TEXTS[0], "Okay."]))
    background = scores.parts["background"].values
    np.testing.assert_allclose(background[0], matcher.background_z(scores.raw[:1])[0])
    assert background[1].max() == 0.0  # content-free, as for the score
    j = matcher.codes_.index("personnel")
    level, spread = matcher.background_[j], matcher.spread_[j]
    raw = np.full((3, len(matcher.codes_)), level)
    raw[:, j] = [level + spread, level + 2.5 * spread, level + 4 * spread]
    assert matcher.background_z(raw)[:, j] == pytest.approx([0.0, 0.5, 1.0])


def test_a_one_code_codebook_is_scored_against_the_background(encoder):
    from qualcode.codebook import parse_codebook

    one = parse_codebook(
        {
            "name": "one",
            "codes": [{"id": "staffing", "label": "Staffing", "description": "Hiring counselors and nurses."}],
        }
    )
    matcher = EmbeddingMatcher(encoder=encoder).fit(one)
    scores = matcher.score(qc.segments_from_texts([TEXTS[0], TEXTS[1]]))
    np.testing.assert_allclose(matcher.margins(scores.raw)[:, 0], scores.raw[:, 0] - matcher.background_[0])
    assert scores.values[0, 0] > 0.4 and scores.values[1, 0] == 0.0


@settings(max_examples=60, deadline=None)
@given(
    raw=arrays(np.float64, (3, 14), elements=st.floats(-0.3, 0.95, allow_nan=False)),
    code=st.integers(0, 13),
    lift=st.floats(0.001, 0.5),
)
def test_margin_scores_rise_with_their_code_and_never_with_the_others(matcher, raw, code, lift):
    before = matcher.calibrate(raw)
    higher = raw.copy()
    higher[:, code] += lift
    after = matcher.calibrate(higher)
    assert ((before >= 0) & (before < 1)).all()
    assert (after[:, code] >= before[:, code] - 1e-12).all()
    others = np.delete(np.arange(raw.shape[1]), code)
    assert (after[:, others] <= before[:, others] + 1e-12).all()


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 20), st.lists(st.integers(0, 19), min_size=1, max_size=60), st.integers(0, 10_000))
def test_best_unit_per_segment_is_the_first_of_the_highest(n, owners, seed):
    """Per segment and code, the highest unit value and the first unit holding it (values
    rounded to make ties); a segment without units keeps -1 and unit 0."""
    from qualcode.match.embedding import _best_per_segment

    owner = np.sort(np.array([o % n for o in owners]))
    values = np.round(np.random.default_rng(seed).random((len(owner), 3)), 1)
    best, which = _best_per_segment(values, owner, n)
    for row in range(n):
        units = np.flatnonzero(owner == row)
        if not len(units):
            assert (best[row] == -1.0).all() and (which[row] == 0).all()
            continue
        for j in range(3):
            assert best[row, j] == values[units, j].max()
            assert which[row, j] == units[np.argmax(values[units, j])]
