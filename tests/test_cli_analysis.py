from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

import qualcode as qc
from qualcode.cli import app

from .conftest import CODEBOOK, EXAMPLES, PARTICIPANTS

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def coded(tmp_path_factory):
    out = tmp_path_factory.mktemp("coded") / "coded.csv"
    result = run(
        "tag",
        EXAMPLES,
        "-c",
        CODEBOOK,
        "-o",
        out,
        "--metadata",
        PARTICIPANTS,
        "--method",
        "keyword",
        "--min-score",
        "0.6",
    )
    assert result.exit_code == 0, result.output
    return out


def test_matrix_tidy_and_wide(coded, tmp_path):
    tidy = tmp_path / "tidy.csv"
    result = run("matrix", coded, "--by", "role", "--measure", "jaccard", "-o", tidy)
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(tidy)
    assert list(frame.columns) == ["group", "code_a", "code_b", "jaccard"]
    assert set(frame["group"]) == {"superintendent", "assistant_superintendent", "student_services"}
    assert frame["jaccard"].dropna().between(0, 1).all()
    wide = tmp_path / "wide.csv"
    assert run("matrix", coded, "--format", "wide", "-c", CODEBOOK, "--level", "1", "-o", wide).exit_code == 0
    matrix = pd.read_csv(wide, index_col="code")
    import qualcode as qc

    top_level = [code.id for code in qc.load_codebook(CODEBOOK).codes]
    assert set(matrix.index) <= set(top_level)  # children rolled up into their parents
    assert (matrix.to_numpy() == matrix.to_numpy().T).all()
    first = tidy.read_bytes()
    assert run("matrix", coded, "--by", "role", "--measure", "jaccard", "-o", tidy).exit_code == 0
    assert tidy.read_bytes() == first  # deterministic


def test_matrix_compare(coded, tmp_path):
    out = tmp_path / "compare.csv"
    result = run("matrix", coded, "--by", "role", "--compare", "-o", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert {"code_a", "code_b", "test", "p_value", "p_adjusted", "differs"} <= set(table.columns)
    assert (table["p_adjusted"] >= table["p_value"] - 1e-12).all()
    assert run("matrix", coded, "--compare", "-o", out).exit_code == 2


def test_freq_districts_by_role(coded, tmp_path):
    out = tmp_path / "freq.csv"
    result = run("freq", coded, "--by", "role", "--count", "district", "--format", "wide", "-o", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, index_col="code")
    assert list(table.columns) == ["assistant_superintendent", "student_services", "superintendent"]
    assert table.loc["covid_lessons"].str.endswith("of 3").all()


@pytest.mark.parametrize(
    "args",
    [("freq", "--by", "role"), ("freq", "--by", "role", "--format", "wide"), ("matrix", "--measure", "jaccard")],
)
def test_without_an_output_the_table_is_printed(coded, tmp_path, args):
    """`qualcode freq coded.csv --by role` prints the table it would write: every row of the
    CSV, its figures as the CSV has them, one per line; nothing is written."""
    command, *options = args
    out = tmp_path / "table.csv"
    written = run(command, coded, *options, "-o", out)
    assert written.exit_code == 0, written.output
    printed = run(command, coded, *options)
    assert printed.exit_code == 0, printed.output
    assert list(tmp_path.iterdir()) == [out]
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    lines = [" ".join(line.split()) for line in printed.stdout.splitlines()]
    assert lines[0] == " ".join(table.columns)
    rows = [" ".join(" ".join(map(str, row)).split()) for row in table.itertuples(index=False)]
    assert lines[1 : 1 + len(rows)] == rows and len(rows) > 10
    assert "->" not in printed.stderr and printed.stderr.strip()  # the summary line, without a file


def test_a_printed_table_without_rows_says_so():
    from qualcode.io.writers import printed_table

    assert printed_table(pd.DataFrame({"code": [], "n": []})) == "(no rows)"
    assert printed_table(pd.DataFrame({"code": ["a", "bb"], "share": [0.5, None]})).splitlines() == [
        "code   share",
        "a     0.5000",
        "bb",
    ]


@pytest.mark.parametrize("kind", ["heatmap", "multiples", "prevalence"])
def test_plots(coded, tmp_path, kind):
    import matplotlib.image as mpimg

    out = tmp_path / f"{kind}.png"
    by = [] if kind == "heatmap" else ["--by", "role"]
    result = run("plot", kind, coded, *by, "--measure", "jaccard", "-o", out, "--cluster", "--dpi", "60")
    assert result.exit_code == 0, result.output
    image = mpimg.imread(out)
    assert image.shape[0] > 150 and image.shape[1] > 150
    assert image[..., :3].std() > 0.05  # not a blank canvas


def test_analysis_errors(coded, tmp_path):
    bad = run("matrix", coded, "--measure", "cosine", "-o", tmp_path / "x.csv")
    assert bad.exit_code == 2 and "unknown measure 'cosine'" in bad.output
    assert not (tmp_path / "x.csv").exists()
    missing = run("freq", coded, "--by", "gender_identity", "-o", tmp_path / "y.csv")
    assert missing.exit_code == 2 and "no column 'gender_identity'" in missing.output
    wide_input = tmp_path / "wide_in.csv"
    wide_input.write_text("doc_id,segment_id,personnel\nd,0,0.5\n", encoding="utf-8")
    wrong = run("matrix", wide_input, "-o", tmp_path / "z.csv")
    assert wrong.exit_code == 2 and "no column 'code'" in wrong.output
    wide = tmp_path / "wide.csv"  # what tag --format wide writes: said so, with the fix
    assert run("tag", EXAMPLES, "-c", CODEBOOK, "-o", wide, "--format", "wide", "--method", "keyword").exit_code == 0
    said = " ".join(run("freq", wide, "-o", tmp_path / "f.csv").output.split())
    assert "wide.csv: a wide table (one column per code" in said and "qualcode tag without --format wide" in said
    for command in (["next", wide, "-o", tmp_path / "n.csv"], ["agree", wide, coded, "-o", tmp_path / "a.csv"]):
        said = " ".join(run(*command).output.split())  # read as codings: the same line, not a list of columns
        assert "wide.csv: a wide table (one column per code" in said, said
    sheet = tmp_path / "to_code.csv"  # a `next` sheet: its codes teach tag --train; counted there
    assert run("next", "-i", EXAMPLES, "-c", CODEBOOK, "-n", "3", "-o", sheet).exit_code == 0
    said = " ".join(run("freq", sheet, "-o", tmp_path / "f.csv").output.split())
    assert "to_code.csv: a `qualcode next` sheet" in said and f"--train {sheet} -o coded.csv" in said, said
    assert run("plot", "pie", coded, "-o", tmp_path / "p.png").exit_code == 2
    # a heatmap is one matrix and small multiples need groups: refused, not silently redrawn
    grouped = run("plot", "heatmap", coded, "--by", "role", "-o", tmp_path / "h.png")
    assert grouped.exit_code == 2 and "use kind 'multiples'" in grouped.output
    ungrouped = run("plot", "multiples", coded, "-o", tmp_path / "m.png")
    assert ungrouped.exit_code == 2 and "give --by" in ungrouped.output
    assert not (tmp_path / "h.png").exists() and not (tmp_path / "m.png").exists()
    for command in ("matrix", "freq", "plot"):
        assert run(command, "--help").exit_code == 0


def test_freq_shares_count_every_segment_of_the_run(tmp_path):
    out = tmp_path / "coded.csv"
    assert run("tag", EXAMPLES, "-c", CODEBOOK, "-m", PARTICIPANTS, "-o", out, "--method", "keyword").exit_code == 0
    freq = tmp_path / "freq.csv"
    assert run("freq", out, "--by", "role", "-o", freq).exit_code == 0
    table = pd.read_csv(freq)
    coded = pd.read_csv(out)
    segments = qc.read_transcripts(EXAMPLES, metadata=PARTICIPANTS).segments
    asked = segments[~segments["is_interviewer"]].groupby("role").size()
    for role, total in table.groupby("group")["total"].max().items():
        assert total == asked[role]  # all of that role's coded segments, not only those with a code
    assert (table["total"] >= coded.groupby("role")["segment_id"].nunique().min()).all()


def test_a_blank_group_is_named_and_warned_about(coded, tmp_path):
    frame = pd.read_csv(coded)
    frame.loc[frame.index[:5], "role"] = ""
    blank = tmp_path / "blank.csv"
    frame.to_csv(blank, index=False)
    out = tmp_path / "m.csv"
    result = run("matrix", blank, "--by", "role", "-o", out)
    assert result.exit_code == 0, result.output
    assert "warning:" in result.output and "have no role" in result.output and "'(blank)'" in result.output
    assert "(blank)" in set(pd.read_csv(out)["group"])
    result = run("freq", blank, "--by", "role", "-o", tmp_path / "f.csv")
    assert "have no role" in result.output


def test_blank_groups_warn_in_python_too():
    codings = pd.DataFrame({"doc_id": ["a", "b"], "segment_id": [0, 0], "code": ["x", "x"], "role": ["sup", None]})
    with pytest.warns(qc.QualcodeWarning, match="1 of 2 units have no role"):
        table = qc.frequencies(codings, by="role")
    assert set(table["group"]) == {"sup", "(blank)"}


def test_matrix_says_which_pairs_the_long_form_holds(coded, tmp_path):
    result = run("matrix", coded, "--measure", "jaccard", "-o", tmp_path / "m.csv")
    assert "each pair once" in result.output and "--format wide writes the full square" in result.output
    wide = tmp_path / "w.csv"
    result = run("matrix", coded, "--measure", "jaccard", "--format", "wide", "-o", wide)
    assert "the full square" in result.output
    square = pd.read_csv(wide, index_col=0)
    assert list(square.index) == list(square.columns) and (square.to_numpy() == square.to_numpy().T).all()


def test_matrix_counts_every_segment_of_the_run_in_n(coded, tmp_path):
    """Lift needs N: the run's uncoded segments count too, as in freq."""
    out = tmp_path / "lift.csv"
    assert run("matrix", coded, "--measure", "lift", "--format", "wide", "-o", out).exit_code == 0
    codings = qc.read_coded(coded)
    segments = qc.corpus_for(coded).segments.query("~is_interviewer")
    expected = qc.cooccurrence(codings, measure="lift", segments=segments)
    coded_only = qc.cooccurrence(codings, measure="lift")
    got = pd.read_csv(out, index_col=0)
    pair = ("caring_climate", "personnel")
    assert got.loc[pair] == pytest.approx(expected.loc[pair], abs=1e-4)
    if len(segments) != codings.groupby(["doc_id", "segment_id"]).ngroups:
        assert got.loc[pair] != pytest.approx(coded_only.loc[pair], abs=1e-4)


def test_review_in_place_keeps_the_file_as_it_was(coded, tmp_path):
    import shutil

    work = tmp_path / "coded.csv"
    shutil.copy(coded, work)
    before = work.read_bytes()
    result = run("review", work, "--accept-above", "0.7", "--coder", "ana", "-o", work)
    assert result.exit_code == 0, result.output
    assert "kept as" in result.output and (tmp_path / "coded.csv.bak").read_bytes() == before
    assert "accepted" in set(pd.read_csv(work)["status"])


def test_no_command_writes_over_its_inputs_or_the_files_its_run_read(tmp_path):
    """`freq coded.csv -o coded.csv` replaced the researcher's codings with a frequency table,
    and `evaluate … -c cb.yaml --write-codebook cb.yaml` rewrote the codebook without its
    comments: refused now, the files unchanged."""
    import shutil

    people = tmp_path / "participants.csv"
    shutil.copy(PARTICIPANTS, people)
    book = tmp_path / "cb.yaml"
    shutil.copy(CODEBOOK, book)
    coded = tmp_path / "coded.csv"
    assert run("tag", EXAMPLES, "-c", book, "-m", people, "-o", coded, "--method", "keyword").exit_code == 0
    gold = EXAMPLES / "human_codes.csv"
    kept = {path: path.read_bytes() for path in (people, book, coded)}
    for args in (
        ("freq", coded, "-o", coded),
        ("matrix", coded, "-o", coded),
        ("freq", coded, "-o", people),  # read by the run that wrote coded.csv
        ("review", coded, "--accept-above", "0.9", "-o", people),
        ("next", coded, "-c", book, "-o", people),
        ("evaluate", coded, "--gold", gold, "-o", coded),
        (
            "evaluate",
            coded,
            "--gold",
            gold,
            "-o",
            tmp_path / "e.csv",
            "--tune",
            "f1",
            "-c",
            book,
            "--write-codebook",
            book,
        ),
    ):
        result = run(*args)
        assert result.exit_code == 2 and "is also an input of the run" in result.output, args
    assert {path: path.read_bytes() for path in kept} == kept
    with pytest.raises(qc.OptionError, match="is also an input of the run"):  # the same from Python
        qc.review_file(coded, people, accept_above=0.9)
    assert people.read_bytes() == kept[people]
    assert run("review", coded, "--accept-above", "0.9", "-o", coded).exit_code == 0  # in place: kept as .bak


def test_without_a_codebook_the_one_the_codings_were_made_with_orders_the_codes(tmp_path):
    """`freq coded.csv` and `matrix --level 1` without -c read the codebook recorded beside the
    codings; edited since, as it is now (said); gone, the codes by id (said), never a failure."""
    book = tmp_path / "book.yaml"
    book.write_text(CODEBOOK.read_text(encoding="utf-8"), encoding="utf-8")
    coded = tmp_path / "coded.csv"
    assert run("tag", EXAMPLES, "-c", book, "-o", coded, "--method", "keyword").exit_code == 0
    order = qc.load_codebook(book).ids

    def counted():
        out = tmp_path / "freq.csv"
        result = run("freq", coded, "-o", out)
        assert result.exit_code == 0, result.output
        return pd.read_csv(out)["code"].tolist(), " ".join(result.output.split())

    codes, said = counted()
    assert codes == [code for code in order if code in codes] and codes != sorted(codes) and "warning" not in said
    assert run("matrix", coded, "--level", "1", "-o", tmp_path / "top.csv").exit_code == 0
    book.write_text(book.read_text(encoding="utf-8").replace('version: "1.0"', 'version: "1.1"'), encoding="utf-8")
    codes, said = counted()
    assert f"{book} changed since {coded} was made" in said and codes == [c for c in order if c in codes]
    book.unlink()
    codes, said = counted()
    assert f"{book}, is not there any more" in said and "codes are shown by id" in said and codes


def test_grouping_by_a_column_the_codings_lack_names_the_file_and_the_fix(coded, tmp_path):
    """`--by role` on codings tagged without participants says where role comes from; a
    misspelt column gets its near name; one line, exit 2, nothing written."""
    plain = tmp_path / "plain.csv"
    assert run("tag", EXAMPLES, "-c", CODEBOOK, "-o", plain, "--method", "keyword").exit_code == 0
    for command in (["freq"], ["matrix"], ["report"], ["plot", "prevalence"]):
        out = tmp_path / ("out.html" if command == ["report"] else "out.png" if command[0] == "plot" else "out.csv")
        result = run(*command, plain, "--by", "role", "-o", out)
        said = " ".join(result.output.split())
        assert result.exit_code == 2 and f"{plain}: no column 'role' to group by" in said, (command, said)
        assert "give it with --metadata PARTICIPANTS.csv" in said and not out.exists()
        # ...and with the participants table given, the same command groups by role
        given = run(*command, plain, "--by", "role", "-m", PARTICIPANTS, "-o", out)
        assert given.exit_code == 0 and out.exists(), (command, given.output)
        out.unlink()
    typo = run("matrix", coded, "--by", "distrct", "-o", tmp_path / "m.csv")
    assert typo.exit_code == 2 and "did you mean 'district'?" in " ".join(typo.output.split())


def test_a_coders_export_is_counted_by_role_with_a_participants_table(tmp_path):
    """Human codes exported from another program (doc_id, span, code, coder: no participant
    columns) counted per role with --metadata: the same counts as joining the table by hand."""
    human = EXAMPLES / "human_codes.csv"
    out = tmp_path / "freq.csv"
    result = run("freq", human, "--by", "role", "--count", "document", "-m", PARTICIPANTS, "-o", out)
    assert result.exit_code == 0, result.output
    got = pd.read_csv(out).set_index(["group", "code"])["n"]
    codes = pd.read_csv(human).merge(pd.read_csv(PARTICIPANTS), on="doc_id")
    expected = codes.groupby(["role", "code"])["doc_id"].nunique()
    for (role, code), n in expected.items():
        assert got[(role, code)] == n
    assert got.sum() == expected.sum()
    # a document the table lacks is named, and counted in a blank group rather than dropped
    fewer = tmp_path / "fewer.csv"
    pd.read_csv(PARTICIPANTS).query("doc_id != 'd03_superintendent'").to_csv(fewer, index=False)
    partial = run("freq", human, "--by", "role", "--count", "document", "-m", fewer, "-o", out)
    assert partial.exit_code == 0 and "no row for 1 document ('d03_superintendent')" in partial.output
    assert "(blank)" in set(pd.read_csv(out)["group"])
    per_segment = run("freq", human, "--by", "role", "-m", PARTICIPANTS)  # segments: spans need transcripts
    assert per_segment.exit_code == 2 and "--count document" in per_segment.output
    assert "qualcode tag TRANSCRIPTS -c CODEBOOK --train CODINGS" in per_segment.output
    report = run("report", human, "-o", tmp_path / "report.html")
    assert report.exit_code == 2 and "--train CODINGS" in report.output


def test_a_participants_table_keyed_by_file_names_keeps_the_codings_own_values():
    from qualcode.io.metadata import join_metadata

    table = pd.DataFrame(
        {"role": ["superintendent", "director", " "]}, index=pd.Index(["D01.txt", "d02", "d04"], name="doc_id")
    )
    codings = pd.DataFrame(
        {"doc_id": ["d01", "d02", "d03", "d04"], "role": ["", "?", "principal", "teacher"], "code": list("abcd")}
    )
    joined, notes = join_metadata(codings, table, source="people.csv")
    # d03 (no row) and d04 (a blank cell) keep their own values
    assert joined["role"].tolist() == ["superintendent", "director", "principal", "teacher"]
    assert notes == [
        "people.csv: no row for 1 document ('d03'); role left as the codings have them (empty where they have none)"
    ]


@pytest.fixture(scope="module")
def no_codings(tmp_path_factory):
    """Two codings files without a row: a header alone (no record), and the output of a run
    that made no suggestion (its record beside it: 84 segments, none coded)."""
    folder = tmp_path_factory.mktemp("no_codings")
    made = folder / "none.csv"
    args = ["tag", EXAMPLES, "-c", CODEBOOK, "-o", made, "--metadata", PARTICIPANTS, "--method", "keyword"]
    result = run(*args, "--min-score", "1.0")
    assert result.exit_code == 0 and "0 suggestions" in result.output, result.output
    bare = folder / "header_only.csv"
    bare.write_text(made.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    return folder, [bare, made]


@pytest.mark.parametrize(
    "command",
    [
        ["freq", "{f}"],
        ["freq", "{f}", "--by", "role", "--format", "wide"],
        ["matrix", "{f}", "--by", "role"],
        ["matrix", "{f}", "--by", "role", "--compare"],
        ["connections", "{f}"],
        ["saturation", "{f}", "-o", "{o}.csv"],
        ["plot", "heatmap", "{f}", "-o", "{o}.png"],
        ["plot", "multiples", "{f}", "--by", "role", "-o", "{o}.png"],
        ["plot", "prevalence", "{f}", "--by", "role", "-o", "{o}.png"],
        ["report", "{f}", "--by", "role", "-o", "{o}.html"],
        ["next", "{f}", "-c", CODEBOOK, "-i", EXAMPLES, "-n", "3", "-o", "{o}.csv"],
        ["tag", EXAMPLES, "-c", CODEBOOK, "--train", "{f}", "-o", "{o}.csv"],
        ["evaluate", "{f}", "--gold", EXAMPLES / "human_codes.csv", "-o", "{o}.csv"],
        ["agree", "{f}", EXAMPLES / "human_codes.csv", "-i", EXAMPLES, "-o", "{o}.csv"],
    ],
    ids=lambda command: "-".join(str(part) for part in command[:2] if not str(part).startswith("{")),
)
def test_codings_without_a_row_give_a_result_or_one_clear_line(no_codings, command):
    """Found by running every command over codings with no row: `matrix --by`, `plot
    multiples` and `report --by` stopped with `ValueError: No objects to concatenate`, `plot
    multiples` of a run without suggestions with `ZeroDivisionError`, `next` and `tag --train`
    with `KeyError: ['segment_id']`; `plot heatmap` drew an empty figure under matplotlib's
    warnings. Now a table without rows, or one line saying why (nothing to draw, no human codes)."""
    folder, files = no_codings
    for k, codings in enumerate(files):
        out = folder / f"out_{command[0]}_{command[1] if command[0] == 'plot' else ''}_{k}"
        args = [str(part).replace("{f}", str(codings)).replace("{o}", str(out)) for part in command]
        result = run(*args)
        assert "Traceback" not in result.output and "Warning:" not in result.output, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        if result.exit_code:
            (last,) = [line for line in result.output.splitlines() if line.startswith("error:")]
            assert any(why in last for why in (codings.name, "nothing to draw", "no segment holds a coding")), last
        else:
            assert "(no rows)" in result.output or any(folder.glob(out.name + ".*")), result.output


def test_a_figure_of_no_codes_is_refused_in_python(coded):
    """`qc.figure` of codings none of which is kept (every score under min_score) says there
    is nothing to draw instead of an empty figure under matplotlib's warnings."""
    codings = qc.read_coded(coded)
    top = float(codings["score"].max())
    for kind, by in (("heatmap", None), ("multiples", ["role"]), ("prevalence", ["role"])):
        with pytest.raises(qc.ColumnError, match="nothing to draw"):
            qc.figure(kind, codings.assign(score=top / 2), by=by, min_score=top)
