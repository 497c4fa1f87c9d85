"""Start-up objects are frozen out of the collector's reach, and the count is exported."""

import gc
import weakref

from prometheus_client import REGISTRY

from servicekit.heap import freeze_startup_objects


class Node:
    def __init__(self):
        self.partner = None


def _tracked(obj) -> bool:
    return any(candidate is obj for candidate in gc.get_objects())


def test_objects_alive_at_start_up_leave_the_collectors_generations_and_garbage_is_collected_first():
    gc.unfreeze()
    kept = [Node()]
    garbage = Node()
    garbage.partner = Node()
    garbage.partner.partner = garbage  # a cycle: only the collector frees it
    garbage_left = weakref.ref(garbage)
    del garbage
    assert _tracked(kept)
    try:
        frozen = freeze_startup_objects()
        assert not _tracked(kept)  # gc.get_objects() lists the generations, not the frozen objects
        assert garbage_left() is None  # collected before the freeze, not frozen with the rest
        assert frozen == gc.get_freeze_count() > 1000
        assert REGISTRY.get_sample_value("aww_process_frozen_objects") == frozen
        later = [Node()]
        assert _tracked(later)  # what is built afterwards is collected as usual
    finally:
        gc.unfreeze()
    assert _tracked(kept)
