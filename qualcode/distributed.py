"""Running ``tag`` on Dask (``dask.distributed``): a local cluster of worker processes
(``--workers N``) or an existing scheduler (``--scheduler tcp://host:8786``).

The codebook is matched and any classifier learned once, in this process; the fitted matcher
is sent to every worker once; each task scores a slice of whole documents
(:func:`qualcode.suggestions.score_part`), and the codings come back in document order, the
same rows as a single-process run. Workers read and write the embedding cache given with
``--cache`` when it is a path they can reach (a shared filesystem), or their own otherwise.

Dask is an optional extra: ``pip install -e ".[dask]"``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .errors import OptionError

INSTALL = 'pip install -e ".[dask]"'


@contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """A Dask client for the run: ``scheduler`` (an address) or a local cluster of ``workers``
    processes with one thread each (and one encoder thread each: no oversubscription)."""
    if workers is not None and scheduler is not None:
        raise OptionError("give workers (a local cluster) or scheduler (an existing one), not both", option="workers")
    if workers is not None and workers < 1:
        raise OptionError(f"workers {workers} must be 1 or more", option="workers")
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise OptionError(
            f"running on Dask needs the dask extra; install it with: {INSTALL}", option="workers"
        ) from None
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise OptionError(
                f"scheduler {scheduler}: cannot connect ({exc}); check the address", option="scheduler"
            ) from None
        try:
            yield client
        finally:
            client.close()
        return
    threads = {"QUALCODE_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    cluster = LocalCluster(
        n_workers=workers or 2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",  # a free port: never collides with another cluster's dashboard
        env=threads,
        silence_logs=50,  # no worker heartbeat tracebacks while the cluster shuts down
    )
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()
