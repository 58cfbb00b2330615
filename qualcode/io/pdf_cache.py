"""The text of PDFs kept between commands: extracting a page costs pdfminer 0.04 to 0.08 s, and
every command that reads the transcripts again (``freq``, ``matrix``, ``report``, ``next`` …)
paid it again, some 20 s for 26 interviews of 20 pages.

One JSON file per PDF in the cache folder of the embeddings (``pdf-text/`` under
:func:`~qualcode.embed.cache.default_cache_dir`, ``$QUALCODE_CACHE`` if set; under the run's
folder with ``--cache DIR``; nowhere with ``--no-cache``, :func:`kept_in`), named by the
SHA-256 of the PDF's bytes and a stamp of what extraction depends on (the versions of
pdfminer.six and qualcode, the extracting code itself): a PDF edited, or read by another
version, is extracted again. A file that cannot be read back whole (damaged, cut, of another
shape, its checksum wrong) is extracted again and replaced; a cache folder that cannot be
written is read without, never an error. Only what was extracted without error is kept: a
damaged PDF is an error on every read.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

FOLDER = "pdf-text"


@lru_cache(maxsize=1)
def stamp() -> str:
    """What the extracted pages depend on, hashed: pdfminer.six's and qualcode's versions and
    the source of the extracting function (so that a change to it is never served stale)."""
    import inspect

    import pdfminer

    from ..version import __version__
    from . import pdf

    try:
        code = inspect.getsource(pdf._read_pages) + repr(sorted(pdf.LIGATURES.items()))
    except (OSError, TypeError):  # no source shipped: the versions alone
        code = ""
    made = f"{pdfminer.__version__}|{__version__}|{code}"
    return hashlib.sha256(made.encode("utf-8")).hexdigest()[:16]


# where pages are kept while reading: "default" (the user cache folder), a folder, or None (nowhere:
# a run told --no-cache writes no interview's words to disk)
_KEPT_IN: ContextVar[str | None] = ContextVar("qualcode_pdf_text_cache", default="default")


@contextmanager
def kept_in(cache: str | Path | None) -> Iterator[None]:
    """Within the block, keep PDF text in the cache folder ``cache`` (``"default"``: the user
    cache folder), or nowhere when ``cache`` is None."""
    token = _KEPT_IN.set(None if cache is None else str(cache))
    try:
        yield
    finally:
        _KEPT_IN.reset(token)


def cache_file(data: bytes) -> Path | None:
    """Where the pages of the PDF whose bytes are ``data`` are kept (None: not kept)."""
    from ..embed.cache import default_cache_dir

    where = _KEPT_IN.get()
    if where is None:
        return None
    folder = default_cache_dir() if where == "default" else Path(where)
    return folder / FOLDER / f"{hashlib.sha256(data).hexdigest()}-{stamp()}.json"


def _check(pages: list[str]) -> str:
    return hashlib.sha256("\x00".join(pages).encode("utf-8")).hexdigest()


def _load(path: Path) -> list[str] | None:
    """The pages kept at ``path``, or None when there are none whole."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    pages = record.get("pages") if isinstance(record, dict) else None
    if not isinstance(pages, list) or not all(isinstance(page, str) for page in pages):
        return None
    return pages if record.get("sha256") == _check(pages) else None


def _store(path: Path, pages: list[str]) -> None:
    """Keep ``pages`` at ``path`` atomically; a folder that cannot be written is skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump({"pages": pages, "sha256": _check(pages)}, out, ensure_ascii=False)
            os.replace(name, path)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
    except OSError:
        return


def cached_pages(data: bytes, extract: Callable[[], list[str]]) -> list[str]:
    """The pages of the PDF whose bytes are ``data``: kept ones, else ``extract()``'s, kept."""
    path = cache_file(data)
    if path is None:
        return extract()
    pages = _load(path)
    if pages is None:
        pages = extract()
        _store(path, pages)
    return pages
