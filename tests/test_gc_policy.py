"""The worker's garbage-collector policy (gc_policy.py; its effect on pauses is measured by
bench/gc_pauses.py, and tests/test_clean_shutdown.py checks that a worker still exits cleanly)."""
import gc

from python_service.server import gc_policy


def test_tune_freezes_what_exists_and_raises_the_young_threshold_and_release_undoes_the_freeze():
    before = gc.get_threshold()
    try:
        gc_policy.tune()
        assert gc.get_threshold() == gc_policy.THRESHOLDS and gc.get_threshold()[0] >= 50_000
        assert gc.get_freeze_count() > 1000  # at least the modules this test process imported

        gc_policy.release()
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
