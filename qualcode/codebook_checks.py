"""What :func:`qualcode.codebook.parse_codebook` reports, and how: problems found on the raw
data a codebook file holds (an id used twice, a former name that names a code now), one
readable line for each of pydantic's errors (a misspelt field names the field it most likely
means), and the location of each in the file."""

from __future__ import annotations

from typing import Any

from .codebook import name_key


def one_line(text: str) -> str:
    """A message with any line break or control character (from a hostile key or value)
    written as its escape, so that every problem stays one line."""
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in text)


def loc_text(loc: tuple[Any, ...]) -> str:
    """``codes[2].keywords``; a key that is no plain name (a line break, an empty string) is
    shown quoted, so that a message stays one readable line."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = str(part)
            if not text or not text.isprintable() or text != text.strip():
                text = repr(text)
            out += ("." if out else "") + text
    return out or "(top level)"


def nearest_line(lines: dict[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int | None:
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return None


def duplicate_ids(data: Any) -> list[tuple[tuple[Any, ...], str]]:
    """Find ids used twice anywhere in a raw codebook tree (works on invalid trees too)."""
    seen: dict[str, tuple[Any, ...]] = {}
    problems: list[tuple[tuple[Any, ...], str]] = []

    def visit(codes: Any, path: tuple[Any, ...]) -> None:
        if not isinstance(codes, list):
            return
        for i, code in enumerate(codes):
            if not isinstance(code, dict):
                continue
            code_id = code.get("id")
            if isinstance(code_id, str):
                if code_id in seen:
                    first = loc_text(seen[code_id])
                    problems.append(((*path, i, "id"), f"duplicate id {code_id!r} (first used at {first})"))
                else:
                    seen[code_id] = (*path, i, "id")
            visit(code.get("children"), (*path, i, "children"))

    if isinstance(data, dict):
        visit(data.get("codes"), ("codes",))
    return problems


def former_names(data: Any) -> list[tuple[tuple[Any, ...], str]]:
    """A ``formerly`` name that names another code of the codebook (its id or label), or
    that two codes both claim: codings naming it would be two codes (works on invalid trees)."""
    current: dict[str, str] = {}
    claims: list[tuple[tuple[Any, ...], str, str]] = []

    def visit(codes: Any, path: tuple[Any, ...]) -> None:
        if not isinstance(codes, list):
            return
        for i, code in enumerate(codes):
            if not isinstance(code, dict) or not isinstance(code.get("id"), str):
                continue
            for name in (code["id"], code.get("label")):
                if isinstance(name, str) and name.strip():
                    current.setdefault(name_key(name), code["id"])
            former = code.get("formerly")
            if isinstance(former, list):
                claims.extend(
                    ((*path, i, "formerly", j), code["id"], name)
                    for j, name in enumerate(former)
                    if isinstance(name, str)
                )
            visit(code.get("children"), (*path, i, "children"))

    if isinstance(data, dict):
        visit(data.get("codes"), ("codes",))
    problems: list[tuple[tuple[Any, ...], str]] = []
    claimed: dict[str, tuple[str, tuple[Any, ...]]] = {}
    for loc, code_id, name in claims:
        key = name_key(name)
        owner = current.get(key)
        if owner is not None and owner != code_id:
            problems.append(
                (loc, f"{name!r} names code {owner!r} of this codebook; a former name must be one no code has now")
            )
        elif key in claimed and claimed[key][0] != code_id:
            problems.append(
                (
                    loc,
                    f"{name!r} is also a former name of code {claimed[key][0]!r} (at {loc_text(claimed[key][1])}); "
                    "codings naming it would be two codes: keep it on one",
                )
            )
        else:
            claimed.setdefault(key, (code_id, loc))
    return problems


# what other tools and habits call a field (a codebook written by hand, or converted)
_SYNONYMS = {
    "name": "label",
    "title": "label",
    "code": "label",
    "definition": "description",
    "subcodes": "children",
    "child_codes": "children",
    "sub_codes": "children",
}


def _at(data: Any, loc: tuple[Any, ...]) -> Any:
    """The raw value at ``loc`` in ``data`` (None where the path does not lead)."""
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def readable(error: dict[str, Any], data: Any = None) -> str:
    kind = error["type"]
    loc = tuple(error["loc"])
    in_code = "codes" in loc[:-1]
    if kind == "extra_forbidden":
        from .errors import nearest

        key = str(loc[-1]) if loc else ""
        if not in_code and isinstance(_at(data, loc), list):  # `themes:` or `nodes:` for `codes:`
            return "unknown field; the codes go under 'codes:' (rename it)"
        from .codebook import Code, Codebook

        fields = Code.model_fields if in_code else Codebook.model_fields
        near = _SYNONYMS.get(key.lower()) if in_code else None
        near = near or nearest(key, sorted(fields))
        return f"unknown field; did you mean {near!r}?" if near else "unknown field; remove it or check its spelling"
    if kind == "missing":
        code = _at(data, loc[:-1]) if in_code else None
        if isinstance(code, dict) and loc[-1] == "id":
            from .refi.codes import slug

            named = next((code[k] for k in ("label", "name", "title") if isinstance(code.get(k), str)), None)
            if named and slug(named):
                return f"required field is missing; add id: {slug(named)} (snake_case; keep it when the label changes)"
        if isinstance(code, dict) and loc[-1] == "label" and isinstance(code.get("id"), str):
            return f"required field is missing; add label: {code['id'].replace('_', ' ').capitalize()} (its name)"
        return "required field is missing"
    if kind == "list_type" and (loc == ("codes",) or loc[-1:] == ("children",)):
        return "give a list of codes, each starting '- id: …' with its label, not a mapping of names"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")
