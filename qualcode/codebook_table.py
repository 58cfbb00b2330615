"""Codebooks kept in a spreadsheet: one code per row of a ``.csv``, ``.tsv`` or ``.xlsx``.

Many teams keep their codebook as a table (Taguette exports one: ``tag, description, number
of highlights``). :func:`qualcode.load_codebook` reads such a file into the same validated
:class:`~qualcode.codebook.Codebook` a YAML file gives. Columns (case-insensitive; others
are ignored and named in :attr:`TableCodebook.ignored`):

``id``
    the code's id; without this column, made from the name (``"Moderator assist"`` →
    ``moderator_assist``, as ``import-refi`` makes ids from Taguette tags and NVivo codes);
``label`` / ``code`` / ``tag`` / ``name`` / ``title``
    the code's name (its label);
``description`` / ``definition`` / ``full definition`` / ``brief definition`` / ``comment``
(ATLAS.ti) / ``code memo`` (MAXQDA);
``keywords``, ``patterns``, ``exclude``, ``examples``, ``formerly`` (or ``keyword``,
``pattern``, ``example`` …)
    several values separated by ``;`` or line breaks within the cell;
``include_when`` / ``inclusion`` / ``when to use``, ``exclude_when`` / ``exclusion`` /
``when not to use``
    inclusion and exclusion criteria;
``parent``
    the id or name of the parent code (empty for a top-level code);
``theme`` (when there is no ``parent`` column)
    the theme a code belongs to: a theme that is not a row of its own becomes a code, the
    parent of its rows (:attr:`TableCodebook.themes`);
``threshold``, ``suggest`` (``true``/``false``), ``color``;
``applies_to``, ``not_applies_to``
    rules by segment column, ``column: value, value`` separated by ``;`` (e.g.
    ``speaker: MODERATOR`` or ``role: principal, superintendent``).

The codebook's name is the file's name without its suffix. Problems are reported with the
row they are on (``codebook.csv:7: codes → 5 → label: …``).

:func:`qualcode.save_codebook` writes a codebook the same way to a ``.csv``, ``.tsv`` or
``.xlsx`` name (:func:`write_table_codebook`), for a team that edits its codebook in a
spreadsheet: read back, every code comes out the same (the name becomes the file's name).
Lists are written one item per line within the cell, so an item may hold ``;``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import CodebookError

SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm")  # written and read
READ_SUFFIXES = (
    *SUFFIXES,
    ".docx",
    ".odt",
)  # read only: a codebook kept in a Word or Writer table (qualcode.codebook_word)
MAX_ROWS = 20_000

ID_COLUMNS = ("id", "code_id", "code id")
NAME_COLUMNS = ("label", "code", "tag", "name", "code name", "code_name", "title", "code title")
TEXT_FIELDS = {
    # ATLAS.ti keeps a code's definition as its comment, MAXQDA as its code memo; MacQueen et
    # al.'s codebook structure has a brief and a full definition, when to use and when not
    "description": (
        "description",
        "definition",
        "full definition",
        "brief definition",
        "code description",
        "comment",
        "code comment",
        "code memo",
        "memo",
    ),
    "include_when": ("include_when", "inclusion", "inclusion criteria", "include when", "when to use"),
    "exclude_when": ("exclude_when", "exclusion", "exclusion criteria", "exclude when", "when not to use"),
    "color": ("color", "colour"),
}
LIST_FIELDS = ("keywords", "patterns", "exclude", "examples", "formerly")
LIST_COLUMNS = {
    "keywords": ("keywords", "keyword"),
    "patterns": ("patterns", "pattern", "regex"),
    "exclude": ("exclude",),
    "examples": ("examples", "example", "example quote", "example quotes", "exemplar", "exemplars"),
    "formerly": ("formerly", "former names", "former name"),
}
PARENT_COLUMNS = ("parent", "parent_id", "parent code")
# a theme named beside each code: the themes that are not rows of their own become codes
THEME_COLUMNS = ("theme", "parent theme", "main theme")
TRUE = {"true", "yes", "1", "y"}
FALSE = {"false", "no", "0", "n"}


@dataclass(frozen=True)
class TableCodebook:
    """The plain data of a spreadsheet codebook (for :func:`~qualcode.codebook.parse_codebook`),
    the row of each code's location, the columns that were not read, and the themes of a
    theme column that became codes of their own."""

    data: dict[str, Any]
    lines: dict[tuple[Any, ...], int]
    ignored: list[str]
    themes: list[str] = dataclasses.field(default_factory=list)  # themes named beside codes, made codes of their own


def _column(columns: list[str], names: tuple[str, ...]) -> str | None:
    lowered = {c.strip().lower(): c for c in columns}
    return next((lowered[name] for name in names if name in lowered), None)


def _values(cell: str) -> list[str]:
    """Items of a list cell: one per line when the cell has several lines, else split at ``;``."""
    parts = cell.split("\n") if "\n" in cell else cell.split(";")
    return [part.strip() for part in parts if part.strip()]


# every field of a code, and its parent (a test keeps this in step with the Code model)
RULE_FIELDS = ("applies_to", "not_applies_to")
CRITERIA = ("include_when", "exclude_when")
WRITTEN: tuple[str, ...] = ("id", "label", "parent", "description", *LIST_FIELDS, *CRITERIA)
WRITTEN += ("threshold", "suggest", "color", *RULE_FIELDS)


def _cell(items: list[str]) -> str:
    text = "\n".join(items)
    return text + "\n" if len(items) == 1 and ";" in text else text  # one item holding ";": one line


def write_table_codebook(codebook: Any, path: Path) -> None:
    """Write ``codebook`` as a table, one code per row, depth first (module docs)."""
    import pandas as pd

    from .fileio import atomic_write
    from .io.writers import neutralise

    rows = []
    for code, _depth, parent in codebook.walk():
        rules = {}
        for field in RULE_FIELDS:
            lines = []
            for column, values in getattr(code, field).items():
                if any("," in value or "\n" in value for value in values) or ":" in column or "\n" in column:
                    raise CodebookError(
                        f"{path}: code {code.id!r} {field} {column}: {values} cannot be written to a table "
                        "(a ',' in a value or ':' in a column); keep this codebook as YAML"
                    )
                lines.append(f"{column}: {', '.join(values)}")
            rules[field] = _cell(lines)
        rows.append(
            {
                "id": code.id,
                "label": code.label,
                "parent": parent or "",
                "description": code.description,
                **{field: _cell(getattr(code, field)) for field in LIST_FIELDS},
                "include_when": code.include_when,
                "exclude_when": code.exclude_when,
                "threshold": "" if code.threshold is None else repr(code.threshold),
                "suggest": "true" if code.suggest else "false",
                "color": code.color or "",
                **rules,
            }
        )
    frame = neutralise(pd.DataFrame(rows, columns=list(WRITTEN)))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        atomic_write(path, lambda tmp: frame.to_excel(tmp, index=False, engine="openpyxl"))
    else:
        sep = "\t" if suffix == ".tsv" else ","
        atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False, sep=sep, lineterminator="\n"))


def read_table_codebook(path: Path) -> TableCodebook:
    """Read a spreadsheet codebook (module docs) into plain data; structural problems (no
    name column, a parent that is not a code, a cycle) raise :class:`CodebookError` naming
    the row."""
    from .io.table import read_table
    from .io.writers import restore
    from .refi.codes import slug

    if path.suffix.lower() in (".docx", ".odt"):
        from .codebook_word import word_codebook_frame

        frame = word_codebook_frame(path)
    else:
        frame = restore(read_table(path))
    columns = list(frame.columns)
    if len(frame) > MAX_ROWS:
        raise CodebookError(f"{path}: {len(frame):,} rows, over the {MAX_ROWS:,} codes a codebook may hold")
    id_col = _column(columns, ID_COLUMNS)
    name_col = _column(columns, NAME_COLUMNS)
    if name_col is None and id_col is None:
        raise CodebookError(
            f"{path}: a codebook table needs a column naming the codes ({', '.join(NAME_COLUMNS)} or id); "
            f"columns are: {', '.join(columns)}"
        )
    used = {id_col, name_col}
    fields: dict[str, str] = {}
    for field, names in TEXT_FIELDS.items():
        found = _column(columns, names)
        if found is not None:
            fields[field] = found
    for field in LIST_FIELDS:
        found = _column(columns, LIST_COLUMNS[field])
        if found is not None:
            fields[field] = found
    for field in ("threshold", "suggest", *RULE_FIELDS):
        found = _column(columns, (field, field.replace("_", " ")))
        if found is not None:
            fields[field] = found
    parent_col = _column(columns, PARENT_COLUMNS)
    themes = parent_col is None and _column(columns, THEME_COLUMNS) is not None
    if themes:
        parent_col = _column(columns, THEME_COLUMNS)
    used |= set(fields.values()) | {parent_col}
    codes: list[dict[str, Any]] = []
    rows: list[int] = []
    parents: list[str] = []
    for number, record in enumerate(frame.to_dict("records"), start=2):
        name = str(record[name_col]).strip() if name_col else ""
        given = str(record[id_col]).strip() if id_col else ""
        if not name and not given:
            continue  # an empty row
        code: dict[str, Any] = {"id": given or slug(name), "label": name or given}
        for field, column in fields.items():
            raw = str(record[column])
            cell = raw.strip()
            if not cell:
                continue
            if field in LIST_FIELDS:
                code[field] = _values(raw)  # a line break, even a last one, means one item per line
            elif field == "threshold":
                code[field] = _number(cell, path, number, column)
            elif field == "suggest":
                code[field] = _flag(cell, path, number, column)
            elif field in RULE_FIELDS:
                code[field] = _rules(raw, path, number, column)
            else:
                code[field] = cell
        codes.append(code)
        rows.append(number)
        parents.append(str(record[parent_col]).strip() if parent_col else "")
    made: list[str] = []
    if themes:  # a theme that is no row of its own becomes a code, before the first code under it
        made = _theme_codes(codes, rows, parents)
    data, lines = _tree(codes, rows, parents, path)
    ignored = [c for c in columns if c not in used]
    return TableCodebook({"name": path.stem, "codes": data}, lines, ignored, made)


def _theme_codes(codes: list[dict[str, Any]], rows: list[int], parents: list[str]) -> list[str]:
    """Add a code for each theme the theme column names that no row is (in place), and return
    their names; a row naming itself as its theme is a theme of its own (no parent)."""
    from .refi.codes import slug

    known = {key for code in codes for key in (code["id"], code["label"], slug(code["label"]))}
    made: list[str] = []
    out: list[tuple[dict[str, Any], int, str]] = []
    for code, row, wanted in zip(codes, rows, parents, strict=True):
        if wanted in (code["label"], code["id"]):
            wanted = ""
        elif wanted and wanted not in known and slug(wanted) not in known:
            known |= {wanted, slug(wanted)}
            made.append(wanted)
            out.append(({"id": slug(wanted), "label": wanted}, row, ""))
        out.append((code, row, wanted))
    codes[:] = [code for code, _, _ in out]
    rows[:] = [row for _, row, _ in out]
    parents[:] = [wanted for _, _, wanted in out]
    return made


def _number(cell: str, path: Path, row: int, column: str) -> float:
    try:
        return float(cell)
    except ValueError:
        raise CodebookError(f"{path}:{row}: {column} {cell!r} is not a number; write e.g. 0.5") from None


def _rules(cell: str, path: Path, row: int, column: str) -> dict[str, list[str]]:
    """``"speaker: MODERATOR; role: principal, superintendent"`` → a rule per column."""
    rules: dict[str, list[str]] = {}
    for part in _values(cell):
        name, colon, values = part.partition(":")
        items = [value.strip() for value in values.split(",") if value.strip()]
        if not colon or not name.strip() or not items:
            raise CodebookError(
                f"{path}:{row}: {column} {part!r} is not 'column: value, value' (e.g. speaker: MODERATOR)"
            )
        rules.setdefault(name.strip(), []).extend(items)
    return rules


def _flag(cell: str, path: Path, row: int, column: str) -> bool:
    if cell.lower() in TRUE:
        return True
    if cell.lower() in FALSE:
        return False
    raise CodebookError(f"{path}:{row}: {column} {cell!r} is not true or false")


def _tree(
    codes: list[dict[str, Any]], rows: list[int], parents: list[str], path: Path
) -> tuple[list[dict[str, Any]], dict[tuple[Any, ...], int]]:
    """Nest codes under their parents (by id or by name); the row of every code's location."""
    from .refi.codes import slug

    by_key: dict[str, int] = {}
    for i, code in enumerate(codes):
        by_key.setdefault(code["id"], i)
        by_key.setdefault(code["label"], i)
        by_key.setdefault(slug(code["label"]), i)
    parent_of: list[int | None] = []
    for i, wanted in enumerate(parents):
        if not wanted:
            parent_of.append(None)
            continue
        j = by_key.get(wanted, by_key.get(slug(wanted)))
        if j is None:
            raise CodebookError(f"{path}:{rows[i]}: parent {wanted!r} is not a code of this table; check its name")
        parent_of.append(j)
    for i in range(len(codes)):  # a parent chain must end at a top-level code
        seen, j = {i}, parent_of[i]
        while j is not None:
            if j in seen:
                raise CodebookError(f"{path}:{rows[i]}: parent codes form a cycle; give one of them no parent")
            seen.add(j)
            j = parent_of[j]
    children: dict[int | None, list[int]] = {}
    for i, j in enumerate(parent_of):
        children.setdefault(j, []).append(i)
    lines: dict[tuple[Any, ...], int] = {}

    def build(i: int, location: tuple[Any, ...]) -> dict[str, Any]:
        lines[location] = rows[i]
        node = dict(codes[i])
        kids = children.get(i, [])
        if kids:
            node["children"] = [build(k, (*location, "children", n)) for n, k in enumerate(kids)]
        return node

    return [build(i, ("codes", n)) for n, i in enumerate(children.get(None, []))], lines
