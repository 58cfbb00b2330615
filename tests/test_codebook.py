from __future__ import annotations

import pytest
import yaml

import qualcode as qc
from qualcode.codebook import parse_codebook
from qualcode.errors import CodebookError

from .conftest import CODEBOOK

STUDY_THEMES = [
    "caring_climate",
    "systemic_supports",
    "professional_development",
    "relational_modelling",
    "personnel",
    "problem_solving",
    "covid_lessons",
    "strength",
    "growth_area",
]
LENSES = ["street_level_bureaucracy", "institutionalism", "theories_of_action", "improvement_science"]


def test_shipped_codebook_has_the_study_themes(codebook):
    top = [code.id for code in codebook.codes]
    assert top == [*STUDY_THEMES, "lenses"]
    assert [child.id for child in codebook.get("lenses").children] == LENSES
    for theme in STUDY_THEMES + LENSES:
        code = codebook.get(theme)
        assert len(code.examples) >= 3, theme
        assert code.description and code.keywords, theme
    assert {"MTSS", "PBIS", "SEL", "ACEs"} <= set(codebook.get("systemic_supports").keywords) | set(
        codebook.get("professional_development").keywords
    )


def test_every_problem_reported_with_line_and_location(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: Broken\n"
        "codes:\n"
        "  - id: personnel\n"
        "    label: Personnel\n"
        "    keywords: [hire, '']\n"
        "  - id: Bad-Id\n"
        "    label: Bad\n"
        "    colour: red\n"
        "    patterns: ['(unclosed']\n"
        "  - id: parent\n"
        "    label: Parent\n"
        "    children:\n"
        "      - id: personnel\n"
        "        label: Again\n"
        "      - id: no_label\n",
        encoding="utf-8",
    )
    with pytest.raises(CodebookError) as info:
        qc.load_codebook(path)
    problems = info.value.problems
    text = "\n".join(problems)
    assert f"{path}:5: codes[0].keywords: item 1 is an empty string" in text
    assert f"{path}:6: codes[1].id: id 'Bad-Id' is not snake_case" in text
    assert f"{path}:8: codes[1].colour: unknown field; did you mean 'color'?" in text
    assert f"{path}:9: codes[1].patterns: item 0 '(unclosed' is not a valid regular expression" in text
    assert f"{path}:13: codes[2].children[0].id: duplicate id 'personnel' (first used at codes[0].id)" in text
    assert f"{path}:15: codes[2].children[1].label: required field is missing" in text
    assert len(problems) == 6
    assert isinstance(info.value, ValueError)  # also the builtin it resembles


def test_invalid_yaml_names_its_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\ncodes:\n  - id: a\n    label: [unclosed\n  - id: b\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"broken.yaml:\d+:\d+: invalid YAML"):
        qc.load_codebook(path)


def test_missing_and_empty_codebook(tmp_path):
    with pytest.raises(qc.InputFileError, match="codebook not found"):
        qc.load_codebook(tmp_path / "nope.yaml")
    (tmp_path / "empty.yaml").write_text("\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="empty"):
        qc.load_codebook(tmp_path / "empty.yaml")


def test_round_trip_and_stable_hash(codebook, tmp_path):
    out = tmp_path / "copy.yaml"
    qc.save_codebook(codebook, out)
    again = qc.load_codebook(out)
    assert again == codebook
    assert again.hash == codebook.hash
    # layout does not change the hash; content does
    data = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    flow = tmp_path / "flow.yaml"
    flow.write_text(yaml.safe_dump(data, default_flow_style=True, width=1000), encoding="utf-8")
    assert qc.load_codebook(flow).hash == codebook.hash
    data["codes"][0]["keywords"].append("kindness")
    assert parse_codebook(data).hash != codebook.hash


def test_walk_and_parent(codebook):
    assert codebook.parent_of("institutionalism") == "lenses"
    assert codebook.parent_of("personnel") is None
    depths = {code.id: depth for code, depth, _ in codebook.walk()}
    assert depths["lenses"] == 0 and depths["improvement_science"] == 1
    with pytest.raises(KeyError, match="no code 'nope'"):
        codebook.get("nope")


def test_alias_bombs_and_deep_nesting_are_refused_quickly():
    import time

    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    start = time.perf_counter()
    with pytest.raises(qc.CodebookError, match="anchors and aliases"):
        qc.codebook_from_yaml(bomb)
    deep = "name: x\ncodes: " + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(qc.CodebookError, match="nested more than"):
        qc.codebook_from_yaml(deep)
    assert time.perf_counter() - start < 2.0


def test_version_keeps_its_written_form():
    book = qc.codebook_from_yaml("name: x\nversion: 1.10\ncodes:\n  - {id: a, label: A}\n")
    assert book.version == "1.10"


def test_a_field_name_with_a_line_break_gives_a_one_line_message():
    """Found by the fuzz suite: a YAML key of two line breaks."""
    with pytest.raises(qc.CodebookError) as info:
        qc.codebook_from_yaml("? '\n\n'", source="f.yaml")
    assert "\n" not in str(info.value) and "'\\n': unknown field" in str(info.value)


def test_a_hostile_column_name_in_applies_to_keeps_messages_on_one_line():
    """Found by the long fuzz profile: applies_to keyed by a name holding line breaks."""
    text = 'name: t\ncodes:\n  - id: a\n    label: A\n    applies_to: {"\\n": {x: 1}}\n'
    with pytest.raises(qc.CodebookError) as info:
        qc.codebook_from_yaml(text, source="f.yaml")
    assert "\n" not in str(info.value) and all("\n" not in p for p in info.value.problems)


def test_a_key_given_twice_is_an_error_naming_both_lines():
    """YAML keeps the last of two equal keys: a code's first keywords list was lost silently."""
    text = (
        "name: t\ncodes:\n  - id: personnel\n    label: Personnel\n    keywords: [counselor, nurse]\n"
        "    description: Staff.\n    keywords: [hire]\n"
    )
    with pytest.raises(
        qc.CodebookError, match=r"f\.yaml:7: codes\[0\]\.keywords: given twice in one place \(first at line 5\)"
    ):
        qc.codebook_from_yaml(text, source="f.yaml")
    with pytest.raises(qc.CodebookError, match=r"f\.yaml:2: name: given twice"):
        qc.codebook_from_yaml("name: a\nname: b\ncodes:\n  - {id: a, label: A}\n", source="f.yaml")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("name: t\nthemes:\n  - id: a\n    label: A\n", "f.yaml:2: themes: unknown field; the codes go under 'codes:'"),
        (
            "name: t\ncodes:\n  - label: Sense of belonging\n",
            "f.yaml:3: codes[0].id: required field is missing; add id: sense_of_belonging",
        ),
        ("name: t\ncodes:\n  - id: belonging\n", "codes[0].label: required field is missing; add label: Belonging"),
        ("name: t\ncodes:\n  - id: a\n    name: A\n", "codes[0].name: unknown field; did you mean 'label'?"),
        ("name: t\ncodes:\n  - id: a\n    label: A\n    definition: x\n", "did you mean 'description'?"),
        ("name: t\ncodes:\n  - id: a\n    label: A\n    example: [x]\n", "did you mean 'examples'?"),
        ("name: t\ncodes:\n  Belonging: Students feel they belong\n", "codes: give a list of codes, each starting"),
    ],
)
def test_a_codebook_written_by_hand_is_told_what_each_field_should_be(text, said):
    with pytest.raises(qc.CodebookError) as info:
        qc.codebook_from_yaml(text, source="f.yaml")
    assert any(said in problem for problem in info.value.problems), info.value.problems


def test_a_codebook_saved_as_windows_1252_or_utf16_says_its_line_and_encoding(tmp_path):
    """`not UTF-8 text (invalid start byte at byte 372)` left the researcher to count bytes."""
    text = CODEBOOK.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "description:" in line)
    lines[at] = lines[at].replace("description:", "description: \u201cquoted\u201d", 1)
    windows = tmp_path / "windows.yaml"
    windows.write_bytes("".join(lines).encode("cp1252", errors="replace"))
    with pytest.raises(CodebookError) as caught:
        qc.load_codebook(windows)
    assert str(caught.value) == (
        f"{windows}:{at + 1}: codebook is not UTF-8 text (byte 0x93, which is '\u201c' in Windows-1252: the file "
        "was saved in that encoding); save it as UTF-8"
    )
    wide = tmp_path / "wide.yaml"
    wide.write_text(text, encoding="utf-16")
    with pytest.raises(
        CodebookError, match=r"wide.yaml:1: codebook is not UTF-8 text \(byte 0xff: the file is UTF-16\)"
    ):
        qc.load_codebook(wide)
