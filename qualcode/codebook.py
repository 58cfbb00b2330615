"""Codebooks: the themes a study codes for, validated once on load.

A codebook is a YAML file::

    name: Caring schools
    version: "1.0"
    codes:
      - id: systemic_supports
        label: Systemic supports
        description: District-wide systems through which care is delivered.
        keywords: [MTSS, PBIS, social-emotional learning]
        patterns: ['\\btier (1|2|3|one|two|three)\\b']
        exclude: [supply chain]
        examples: ["We rolled out PBIS in every building."]
        children: []
      - id: staffing
        label: Staffing
        formerly: [personnel, hiring]   # renamed, or merged: codings naming these are this code

Loading validates the whole file with pydantic and reports *every* problem at
once, each with its YAML line and location (``codes[2].children[0].id``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import CodebookError, InputFileError, counted
from .fileio import atomic_write_text

if TYPE_CHECKING:
    from .codebook_table import TableCodebook

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")


def _no_blank_items(values: list[str]) -> list[str]:
    for i, value in enumerate(values):
        if not value.strip():
            raise ValueError(f"item {i} is an empty string; remove it or write the term")
    return values


class Code(BaseModel):
    """One code (theme) of a codebook, with optional child codes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="snake_case identifier, unique in the codebook")
    label: str = Field(min_length=1)
    description: str = ""
    keywords: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list, description="regular expressions")
    exclude: list[str] = Field(default_factory=list, description="terms that veto the code")
    examples: list[str] = Field(default_factory=list)
    formerly: list[str] = Field(
        default_factory=list,
        description="ids or labels the code had before: codings naming them are this code (renamed, or merged into it)",
    )
    include_when: str = ""
    exclude_when: str = ""
    color: str | None = None
    threshold: float | None = Field(default=None, ge=0.0, le=1.0, description="min_score for this code")
    suggest: bool = Field(default=True, description="false: applied by hand only, never suggested")
    applies_to: dict[str, list[str]] = Field(
        default_factory=dict, description="segment column -> values: suggested only where the column has one of them"
    )
    not_applies_to: dict[str, list[str]] = Field(
        default_factory=dict, description="segment column -> values: never suggested where the column has one of them"
    )
    children: list[Code] = Field(default_factory=list)

    @field_validator("applies_to", "not_applies_to", mode="before")
    @classmethod
    def _value_lists(cls, value: Any) -> Any:
        if isinstance(value, dict):
            out = {}
            for column, allowed in value.items():
                items = [allowed] if isinstance(allowed, str | int | float) else allowed
                if not isinstance(items, list) or not items:
                    raise ValueError(f"{column}: give a list of values, e.g. {column}: [teacher]")
                out[str(column)] = [str(item) for item in items]
            return out
        return value

    def allowed(self, segments: Any) -> Any:
        """Boolean mask of the ``segments`` rows this code may be suggested for (its
        ``applies_to`` / ``not_applies_to`` rules; values compared case-insensitively)."""
        import numpy as np

        from .errors import ColumnError

        keep = np.ones(len(segments), dtype=bool)
        for rules, wanted in ((self.applies_to, True), (self.not_applies_to, False)):
            for column, values in rules.items():
                if column not in segments.columns:
                    raise ColumnError(
                        f"code {self.id!r} applies_to column {column!r}, which the segments lack; columns are: "
                        f"{', '.join(map(str, segments.columns))}"
                    )
                hit = segments[column].astype(str).str.strip().str.lower().isin({v.strip().lower() for v in values})
                keep &= hit.to_numpy() if wanted else ~hit.to_numpy()
        return keep

    @field_validator("id")
    @classmethod
    def _snake_case(cls, value: str) -> str:
        if not _ID_RE.match(value):
            raise ValueError(
                f"id {value!r} is not snake_case; use lower-case letters, digits and '_' starting with a letter"
            )
        return value

    @field_validator("keywords", "exclude", "examples", "formerly")
    @classmethod
    def _items(cls, values: list[str]) -> list[str]:
        return _no_blank_items(values)

    @field_validator("patterns")
    @classmethod
    def _regexes(cls, values: list[str]) -> list[str]:
        _no_blank_items(values)
        from .regex import compile_pattern

        problems = []  # every bad pattern of the list, not the first only
        for i, value in enumerate(values):
            try:
                compile_pattern(value)
            except ValueError as exc:
                problems.append(f"item {i} {value!r} {exc}")
        if problems:
            raise ValueError("; ".join(problems))
        return values

    @field_validator("color")
    @classmethod
    def _color(cls, value: str | None) -> str | None:
        if value is not None and not _COLOR_RE.match(value):
            raise ValueError(f"color {value!r} is not of the form '#RRGGBB'")
        return value.upper() if value else value

    def walk(self, depth: int = 0, parent: str | None = None) -> Iterator[tuple[Code, int, str | None]]:
        """Yield ``(code, depth, parent_id)`` for this code and its descendants, depth first."""
        yield self, depth, parent
        for child in self.children:
            yield from child.walk(depth + 1, self.id)


class Codebook(BaseModel):
    """A validated codebook: a name, a version and a tree of :class:`Code`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    version: str = "1"
    description: str = ""
    codes: list[Code] = Field(min_length=1)

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) else value

    def walk(self) -> Iterator[tuple[Code, int, str | None]]:
        """Yield ``(code, depth, parent_id)`` for every code, depth first, in file order."""
        for code in self.codes:
            yield from code.walk()

    def __repr__(self) -> str:
        return f"Codebook({self.name!r}, version {self.version!r}, {counted(len(self.ids), 'code')}, sha256 {self.hash[:12]})"

    __str__ = __repr__

    def table(self) -> Any:
        """One row per code (depth first): id, label, parent, depth, keywords, examples,
        threshold, suggested, description — a pandas DataFrame."""
        import pandas as pd

        rows = [
            {
                "id": code.id,
                "label": code.label,
                "parent": parent,
                "depth": depth,
                "keywords": len(code.keywords),
                "examples": len(code.examples),
                "threshold": code.threshold,
                "suggested": code.suggest,
                "description": code.description,
            }
            for code, depth, parent in self.walk()
        ]
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        from html import escape

        rows = []
        for code, depth, _ in self.walk():
            short = code.description if len(code.description) <= 160 else code.description[:157] + "…"
            rows.append(
                f"<tr><td style='text-align:left;padding-left:{0.4 + 1.2 * depth:.1f}em'><b>{escape(code.label)}</b>"
                f"<br><code>{escape(code.id)}</code></td><td style='text-align:left'>{escape(short)}</td>"
                f"<td>{len(code.keywords)}</td><td>{len(code.examples)}</td>"
                f"<td>{'' if code.threshold is None else code.threshold}</td></tr>"
            )
        return (
            f"<p><b>{escape(self.name)}</b> (version {escape(self.version)}, {counted(len(self.ids), 'code')}, "
            f"sha256 <code>{self.hash[:12]}</code>)</p><table><thead><tr><th>code</th><th>description</th>"
            f"<th>keywords</th><th>examples</th><th>threshold</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )

    @property
    def ids(self) -> list[str]:
        """Every code id, depth first, in file order."""
        return [code.id for code, _, _ in self.walk()]

    def get(self, code_id: str) -> Code:
        """Return the code with this id; ``KeyError`` naming the known ids otherwise."""
        for code, _, _ in self.walk():
            if code.id == code_id:
                return code
        raise KeyError(f"no code {code_id!r} in codebook {self.name!r}; codes are: {', '.join(self.ids)}")

    def parent_of(self, code_id: str) -> str | None:
        """The id of the parent of ``code_id`` (None for a top-level code)."""
        for code, _, parent in self.walk():
            if code.id == code_id:
                return parent
        raise KeyError(code_id)

    def thresholds(self) -> dict[str, float]:
        """Per-code thresholds set in the codebook (code id → min_score)."""
        return {code.id: code.threshold for code, _, _ in self.walk() if code.threshold is not None}

    def with_thresholds(self, thresholds: dict[str, float]) -> Codebook:
        """A copy with these per-code thresholds set (other codes unchanged)."""
        unknown = sorted(set(thresholds) - set(self.ids))
        if unknown:
            raise KeyError(f"no code {unknown[0]!r} in codebook {self.name!r}")

        def update(code: Code) -> Code:
            changes: dict[str, Any] = {"children": [update(child) for child in code.children]}
            if code.id in thresholds:
                changes["threshold"] = round(float(thresholds[code.id]), 4)
            return code.model_copy(update=changes)

        return self.model_copy(update={"codes": [update(code) for code in self.codes]})

    def to_dict(self) -> dict[str, Any]:
        """A plain dict with default-valued fields left out (the YAML form)."""
        return self.model_dump(exclude_defaults=True, mode="json")

    @property
    def hash(self) -> str:
        """A stable SHA-256 of the codebook's content (independent of YAML layout; fields left at their defaults do not count, so a new optional field does not change it)."""
        canonical = json.dumps(self.model_dump(mode="json", exclude_defaults=True), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- loading -----------------------------------------------------------------------------


def name_key(name: str) -> str:
    """How a code's id, label or former name is compared with the codes a codings table
    names: letter case, spacing (around punctuation too) and ``_`` for a space do not count.

    >>> name_key("Providing Evidence / Explaining Reasoning") == name_key("providing evidence/explaining reasoning")
    True
    >>> name_key("Covid_lessons"), name_key("press for  accuracy")
    ('covid lessons', 'press for accuracy')
    """
    spaced = " ".join(name.replace("_", " ").lower().split())
    return re.sub(r" ?([^\w\s]) ?", r"\1", spaced)


def parse_codebook(
    data: Any, *, source: str = "<codebook>", lines: dict[tuple[Any, ...], int] | None = None
) -> Codebook:
    """Validate a codebook given as plain Python data (as loaded from YAML).

    Raises
    ------
    CodebookError
        Listing every problem, each as ``source:line: location: message``.
    """
    from .codebook_checks import duplicate_ids, former_names, loc_text, nearest_line, one_line, readable

    lines = lines or {}
    problems: list[tuple[tuple[Any, ...], str]] = []
    codebook: Codebook | None = None
    if not isinstance(data, dict):
        problems.append(((), "the codebook must be a mapping with 'name' and 'codes'"))
    else:
        try:
            codebook = Codebook.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                problems.append((tuple(error["loc"]), readable(dict(error), data)))
    problems.extend(duplicate_ids(data))
    problems.extend(former_names(data))
    if problems:
        rendered = []
        for loc, message in sorted(problems, key=lambda p: (nearest_line(lines, p[0]) or 0, loc_text(p[0]))):
            line = nearest_line(lines, loc)
            where = f"{source}:{line}" if line else source
            rendered.append(one_line(f"{where}: {loc_text(loc)}: {message}"))
        count = len(rendered)
        head = f"{source}: {count} problem{'s' if count > 1 else ''} in codebook: " + "; ".join(rendered)
        raise CodebookError(head, rendered)
    assert codebook is not None
    return codebook


def as_codebook(codebook: Codebook | str | Path) -> Codebook:
    """A loaded codebook as it is, a codebook file's path loaded (:func:`load_codebook`);
    anything else is an error saying what to give."""
    if isinstance(codebook, Codebook):
        return codebook
    if isinstance(codebook, (str, Path)):
        return load_codebook(codebook)
    from .errors import OptionError

    raise OptionError(
        f"codebook: a {type(codebook).__name__}; give qc.load_codebook(PATH) or a codebook file's path",
        option="codebook",
    )


def load_codebook(path: str | Path) -> Codebook:
    """Load and validate a YAML codebook, or one kept in a spreadsheet, a Word or Writer
    table, or another program's REFI-QDA export.

    Parameters
    ----------
    path
        A ``.yaml``/``.yml`` file; a ``.csv``/``.tsv``/``.xlsx`` table with one code per
        row (columns: :mod:`qualcode.codebook_table`); a ``.docx``/``.odt`` holding such a
        table (:mod:`qualcode.codebook_word`); a REFI-QDA codebook (``.qdc``) or project
        (``.qdpx``, its codebook: :mod:`qualcode.refi.codebooks`).

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        The YAML is invalid (the message names its line) or the codebook breaks the
        schema (the message lists every problem with its line and location).

    Examples
    --------
    >>> import qualcode as qc
    >>> cb = qc.load_codebook("codebooks/caring_schools.yaml")
    >>> "systemic_supports" in cb.ids
    True
    """
    if Path(path).suffix.lower() in (".qdc", ".qdpx"):  # another program's codebook export, or its project's
        from .refi.codebooks import read_qdc, read_qdpx_codebook

        return read_qdc(path) if Path(path).suffix.lower() == ".qdc" else read_qdpx_codebook(path)
    path = _codebook_file(path)
    from .codebook_table import READ_SUFFIXES

    if path.suffix.lower() in READ_SUFFIXES:  # a codebook kept in a spreadsheet or a Word table, one code per row
        return load_codebook_table(path)[0]
    _check_readable_kind(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CodebookError(_not_utf8(path, data, exc)) from None
    if not text.strip():
        raise CodebookError(f"{path}: codebook is empty; it needs 'name' and 'codes'")
    return codebook_from_yaml(text, source=str(path))


def _not_utf8(path: Path, data: bytes, exc: UnicodeDecodeError) -> str:
    """The error for a codebook that is not UTF-8: its line, the byte, and what the file
    likely is (UTF-16, or Windows-1252 when the byte is a curly quote, a dash or a letter
    there, as Word and Notepad save them)."""
    line = data.count(b"\n", 0, exc.start) + 1
    byte = data[exc.start]
    try:
        meant = bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        meant = ""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        hint = ": the file is UTF-16"
    elif meant and (byte < 0xA0 or meant.isalpha()):
        hint = f", which is {meant!r} in Windows-1252: the file was saved in that encoding"
    else:
        hint = ""
    return f"{path}:{line}: codebook is not UTF-8 text (byte 0x{byte:02x}{hint}); save it as UTF-8"


def save_codebook(codebook: Codebook, path: str | Path) -> None:
    """Write a codebook as YAML (fields left at their default are omitted), or as a table
    with one code per row to a ``.csv``/``.tsv``/``.xlsx`` name (:mod:`qualcode.codebook_table`)."""
    from .codebook_table import SUFFIXES, write_table_codebook

    if Path(path).suffix.lower() in SUFFIXES:
        write_table_codebook(codebook, Path(path))
        return
    text = yaml.safe_dump(codebook.to_dict(), sort_keys=False, allow_unicode=True, width=100)
    atomic_write_text(path, text)


def codebook_from_yaml(text: str, *, source: str = "<string>") -> Codebook:
    """Parse and validate a codebook from YAML text (see :func:`load_codebook`;
    :mod:`qualcode.codebook_yaml` reads it)."""
    from .codebook_yaml import codebook_from_yaml as read

    return read(text, source=source)


CODEBOOK_KINDS = (
    "YAML (.yaml), a table with one code per row (.csv, .tsv, .xlsx), a table in Word (.docx) or Writer (.odt), "
    "or a REFI-QDA codebook (.qdc) or project (.qdpx)"
)


def _check_readable_kind(path: Path) -> None:
    """An error for a codebook in a format read neither as YAML nor as a table (a PDF coding
    manual, an old Word file), saying what to do, in place of "not UTF-8 text"."""
    from .io.base import UNREAD_DOCUMENTS, UNREAD_TABLES, native_project

    suffix = path.suffix.lower()
    if suffix == ".pdf":
        raise CodebookError(
            f"{path}: a PDF codebook cannot be read as codes; qualcode reads {CODEBOOK_KINDS}: copy its table of "
            "codes into one of these"
        )
    known = UNREAD_DOCUMENTS.get(suffix) or UNREAD_TABLES.get(suffix)
    if known:
        raise CodebookError(f"{path}: qualcode does not read {known} (codebooks: {CODEBOOK_KINDS})")
    native = native_project(path, codebook=True)
    if native:
        raise CodebookError(native)


def _codebook_file(path: str | Path) -> Path:
    """``path``, checked to be a codebook-sized regular file."""
    path = Path(path)
    if path.exists() and not path.is_file():
        raise InputFileError(f"{path}: not a regular file (a folder, pipe or device); give the codebook's YAML file")
    if not path.is_file():
        raise InputFileError(f"{path}: codebook not found; check the path")
    from .codebook_yaml import MAX_YAML_CHARS

    if path.stat().st_size > MAX_YAML_CHARS * 4:
        raise CodebookError(f"{path}: {path.stat().st_size:,} bytes, far more than a codebook holds; check the file")
    return path


def load_codebook_table(path: str | Path) -> tuple[Codebook, TableCodebook]:
    """A codebook kept in a spreadsheet (:mod:`qualcode.codebook_table`), validated, and what
    reading the table found (columns not read, themes made codes), read once."""
    from .codebook_table import read_table_codebook

    path = _codebook_file(path)
    table = read_table_codebook(path)
    return parse_codebook(table.data, source=str(path), lines=table.lines), table
