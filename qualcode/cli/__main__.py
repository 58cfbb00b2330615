"""``python -m qualcode.cli``: the same as the ``qualcode`` command."""

from . import run

run()
