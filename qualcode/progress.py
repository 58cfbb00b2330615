"""Progress of long steps, reported to whoever listens (the command line draws a bar).

Library code calls :func:`report` with a stage name and counts; nothing happens unless a
listener was installed with :func:`listening` (the CLI's progress bar, or a notebook's own
callback). Reporting is per context, so concurrent runs do not mix their counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

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
