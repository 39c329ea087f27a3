"""The cyclic garbage collector around what a batch process builds once and keeps: the modules it
imports and the pipeline it loads (hundreds of thousands of objects, no garbage). Each pass of the collector
during that walks every object built so far, and its full passes were a fifth of a second of
every run's start; after it, the objects are frozen out of its sight (`gc.freeze`), as a worker
keeps its copy of the pipeline.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

NEVER = 1 << 30  # allocations before a pass: none during a build


@contextmanager
def building_to_keep() -> Iterator[None]:
    """No collector pass during the block; what it built frozen afterwards, the collector as it was.
    By threshold, not `gc.disable()`: msgpack's unpacker (spaCy reads its models with it) turns the
    collector on again after every call."""
    threshold = gc.get_threshold()
    gc.set_threshold(NEVER, *threshold[1:])
    try:
        yield
    finally:
        gc.freeze()
        gc.set_threshold(*threshold)
