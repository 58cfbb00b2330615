"""Progress of long steps, reported to whoever listens (the command line draws a bar).

Library code calls :func:`report` with a stage name and counts; nothing happens unless a
listener was installed with :func:`listening` (the CLI's progress bar, or a notebook's own
callback). Reporting is per context, so concurrent runs do not mix their counts.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

Listener = Callable[[str, int, int], None]
_LISTENER: ContextVar[Listener | None] = ContextVar("qualcode_progress", default=None)


def active() -> bool:
    """Whether anyone listens (long steps may then work in reported chunks)."""
    return _LISTENER.get() is not None


def report(stage: str, done: int, total: int) -> None:
    """``done`` of ``total`` items of ``stage`` are finished."""
    listener = _LISTENER.get()
    if listener is not None:
        listener(stage, done, total)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Send every :func:`report` made inside the block to ``listener(stage, done, total)``.

    Examples
    --------
    >>> from qualcode.progress import listening, report
    >>> seen = []
    >>> with listening(lambda stage, done, total: seen.append((stage, done, total))):
    ...     report("encoding", 64, 128)
    >>> seen
    [('encoding', 64, 128)]
    """
    token = _LISTENER.set(listener)
    try:
        yield
    finally:
        _LISTENER.reset(token)


def in_notebook() -> bool:
    """Whether this runs in a Jupyter kernel (IPython with a kernel app)."""
    import sys

    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def _wanted(enabled: bool | None) -> bool:
    import os

    if enabled is not None:
        return enabled
    setting = os.environ.get("QUALCODE_PROGRESS", "").strip().lower()
    if setting in ("0", "false", "no", "off"):
        return False
    if setting in ("1", "true", "yes", "on"):
        return True
    return in_notebook()


@contextmanager
def displayed(enabled: bool | None = None) -> Iterator[None]:
    """Draw a progress bar per stage (``tqdm.auto``: a widget in Jupyter when ipywidgets is
    there, text otherwise) for the reports made inside the block.

    On by default in Jupyter, off elsewhere (the command line draws its own);
    ``QUALCODE_PROGRESS=0`` or ``1`` decides instead. Nothing happens when someone already
    listens, so nested calls draw one set of bars.
    """
    if active() or not _wanted(enabled):
        yield
        return
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tqdm warns when ipywidgets is missing and falls back to text
        from tqdm.auto import tqdm

    bars: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                bar = bars[stage] = tqdm(total=total, desc=f"qualcode: {stage}", leave=False)
        bar.total = total
        bar.update(done - bar.n)

    try:
        with listening(update):
            yield
    finally:
        for bar in bars.values():
            bar.close()


F = TypeVar("F", bound=Callable[..., Any])


def shows_progress(function: F) -> F:
    """Decorator: the function's long steps draw progress bars in Jupyter (:func:`displayed`)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with displayed():
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
