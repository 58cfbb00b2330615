"""Help screens with the conventional placeholders: ``TEXT``, ``PATH``, ``INTEGER``, ``NUMBER``
after an option that takes a value, nothing after a flag, and ``INPUTS...`` for a list of
arguments (typer 0.29 prints ``<str>``, ``<list[Path]>`` and ``{inputs}...`` by default).

Every command and the group are built with these classes (``cls=``), so the help a user sees,
the usage line and the test that renders all help at 80 columns agree.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, get_args

from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

_NAMES = {str: "TEXT", int: "INTEGER", float: "NUMBER", Path: "PATH"}


def _element(annotation: Any) -> Any:
    """``list[Path]`` -> ``Path``; ``Path | None`` -> ``Path``."""
    args = [a for a in get_args(annotation) if a is not type(None)]
    return _element(args[0]) if args else annotation


def placeholder(param: TyperOption | TyperArgument) -> str:
    """The metavar shown for ``param``: empty for a flag, else the conventional type name."""
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return ""
    descriptor = param.type_descriptor
    if descriptor.is_choice and descriptor.choices:
        name = "[" + "|".join(str(c) for c in descriptor.choices) + "]"
    elif descriptor.is_path:
        name = "PATH"
    else:
        name = _NAMES.get(_element(descriptor.annotation), "TEXT")
    if isinstance(param, TyperArgument) and param.name:
        name = param.name.upper() + ("..." if param.nargs != 1 else "")
    return name


class Argument(TyperArgument):
    """An argument shown by its upper-case name: ``INPUTS...`` in the usage line and the
    help table (typer shows ``{inputs}...`` and a ``<list[Path]>`` type)."""

    def _rich_display_name(self) -> str:
        return self.display_name_raw

    def _usage_display_name(self) -> str:
        name = self._rich_display_name()
        return name if self.required else f"[{name}]"

    def display_type_rich(self, ctx: Any) -> str | None:
        return None


def _conventional(params: list[Any]) -> None:
    for param in params:
        if isinstance(param, TyperArgument) and not isinstance(param, Argument):
            param.__class__ = Argument
        if isinstance(param, TyperOption | TyperArgument) and param.metavar is None:
            param.metavar = placeholder(param)


class _Conventional:
    """What the command and the group share: conventional placeholders, none after ``--help``."""

    params: list[Any]

    def _conventional_help(self) -> None:
        _conventional(self.params)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.metavar = ""
        return option


OWN_LINE = ("Example", "qualcode ", "- ")  # help lines that start a line of their own


def reflow(text: str | None) -> str | None:
    r"""A docstring's paragraphs as the terminal should wrap them: the lines of a paragraph
    joined (typer's rich help keeps every source line break, so a paragraph came out cut
    at the docstring's line ends and again at the screen's), except lines starting with
    ``Example``, a ``qualcode`` command or a ``- `` item, which start a line.

    >>> reflow("Do a thing.\n\nLong text\nwraps here.\nExample: qualcode x")
    'Do a thing.\n\nLong text wraps here.\nExample: qualcode x'
    """
    if not text:
        return text
    paragraphs = []
    for paragraph in inspect.cleandoc(text).split("\n\n"):
        lines: list[str] = []
        for line in paragraph.splitlines():
            if lines and not line.lstrip().startswith(OWN_LINE):
                lines[-1] += " " + line.strip()
            else:
                lines.append(line.strip())
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


class Command(_Conventional, TyperCommand):
    """A typer command whose help shows conventional placeholders."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = reflow(self.help)
        self._conventional_help()


class Group(_Conventional, TyperGroup):
    """The ``qualcode`` group, with the same placeholders as its commands."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._conventional_help()
