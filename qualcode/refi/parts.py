"""The parts of a REFI-QDA project a reader needs, read from the archive safely: users,
variables and their values, and each text source's text (inline, a ``.txt`` or a ``.docx``
inside the archive; never a file outside it)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from xml.etree.ElementTree import Element

import pandas as pd

from ..archive import SafeZip
from ..errors import DecodeError, InputFileError, RefiError
from ..io.decode import decode_raw
from .schema import child, child_text, children

_VALUE_TAGS = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue", "DateTimeValue")


def guid_key(value: str | None) -> str:
    """A GUID as a lookup key: lower case, without braces (``{ABC-…}`` and ``abc-…`` match)."""
    return (value or "").strip().strip("{}").lower()


class ProjectParts:
    """One pass over a project: the archive, the XML, and what was noticed."""

    def __init__(self, path: Path, archive: SafeZip, root: Element) -> None:
        self.path = path
        self.archive = archive
        self.root = root
        self.origin = root.get("origin") or ""
        self.warnings: list[str] = []

    # --- users, variables ----------------------------------------------------------------

    def users(self) -> pd.DataFrame:
        rows = []
        users = child(self.root, "Users")
        for user in children(users, "User") if users is not None else []:
            rows.append(
                {"guid": guid_key(user.get("guid")), "id": user.get("id") or "", "name": user.get("name") or ""}
            )
        return pd.DataFrame(rows, columns=["guid", "id", "name"])

    def variables(self) -> dict[str, str]:
        holder = child(self.root, "Variables")
        return {
            guid_key(v.get("guid")): v.get("name") or guid_key(v.get("guid"))
            for v in (children(holder, "Variable") if holder is not None else [])
        }

    def values(self, element: Element, names: dict[str, str]) -> dict[str, str]:
        out = {}
        for holder in children(element, "VariableValue"):
            ref = child(holder, "VariableRef")
            target = guid_key(ref.get("targetGUID")) if ref is not None else ""
            name = names.get(target)
            if name is None:
                self.warnings.append(f"{self.path}: a variable value refers to unknown variable {target!r}; left out")
                continue
            value = next((child_text(holder, tag) for tag in _VALUE_TAGS if child(holder, tag) is not None), "")
            out[name] = value
        return out

    # --- text ------------------------------------------------------------------------------

    def member(self, reference: str | None) -> str | None:
        """The archive member a source path refers to (inside the archive only)."""
        if not reference:
            return None
        name = re.sub(r"^[a-z]+://", "", reference.strip(), flags=re.I).replace("\\", "/")
        base = name.rsplit("/", 1)[-1]
        for candidate in (name, f"Sources/{name}", f"Sources/{base}", base):
            found = self.archive.find(candidate)
            if found is not None:
                return found
        return None

    def text_of(self, source: Element, label: str) -> tuple[str, str]:
        """The raw text of a text source and where it came from."""
        inline = child(source, "PlainTextContent")
        if inline is not None and (inline.text or "").strip():
            return inline.text or "", "PlainTextContent"
        plain = self.member(source.get("plainTextPath"))
        if plain is not None:
            try:
                text, _, note = decode_raw(self.archive.read(plain), Path(f"{self.path}:{plain}"))
            except (DecodeError, InputFileError) as exc:
                raise RefiError(str(exc)) from None
            if note:
                self.warnings.append(note)
            if text.strip():
                return text, plain
        rich = self.member(source.get("richTextPath"))
        if rich is not None and rich.lower().endswith(".docx"):
            return self.docx_text(rich), rich
        if source.get("plainTextPath") and plain is None:
            self.warnings.append(
                f"{self.path}: source {label!r}: its text {source.get('plainTextPath')!r} is not inside the project "
                "file; qualcode reads nothing outside it"
            )
        return "", ""

    def docx_text(self, member: str) -> str:
        from docx import Document as WordDocument

        data = self.archive.read(member)
        # a .docx is a zip inside the zip: checked the same way before python-docx opens it
        SafeZip(io.BytesIO(data), self.archive.limits, label=f"{self.path}:{member}").close()
        try:
            word = WordDocument(io.BytesIO(data))
        except Exception as exc:  # python-docx raises many kinds for a damaged file
            raise RefiError(
                f"{self.path}: {member} is not a readable .docx ({exc}); export the project again"
            ) from None
        return "\n".join(paragraph.text for paragraph in word.paragraphs)
