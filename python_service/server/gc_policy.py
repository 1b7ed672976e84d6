"""How a worker's garbage collector runs.

Market data is made of many small lists: one 5,000-level book is 10,000 of them. With
CPython's defaults (a young collection every 700 new containers), decoding one book sets
off collections that also walk every older object, and in a worker whose caches hold
tens of books that is over 100 ms in which it answers no one (bench/gc_pauses.py,
docs/benchmarks.md). So: what the worker was built from (modules, the app, settings) is
frozen out of the collector's sight once it is up, and young collections wait for
YOUNG_ALLOCATIONS new containers. Reference counting still frees everything that is not
in a cycle at once; only cyclic garbage waits a little longer."""
from __future__ import annotations

import gc

YOUNG_ALLOCATIONS = 50_000
THRESHOLDS = (YOUNG_ALLOCATIONS, 20, 10)


def tune() -> None:
    """Once, in each worker, after the app is built (gunicorn.conf.py post_worker_init):
    start-up's own garbage is collected first, not frozen for the worker's life."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)


def release() -> None:
    """As the worker leaves (gunicorn.conf.py worker_exit): what was frozen is collected now,
    while every module is still whole. Left to the interpreter's last collection, a logging
    handler's weakref callback would run after gevent's modules were torn down (a traceback
    at every exit)."""
    gc.unfreeze()
    gc.collect()
