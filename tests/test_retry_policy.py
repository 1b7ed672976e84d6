"""The retry policy value object: attempts, backoff with jitter, bounded total time."""
import pytest

from python_service.upstream.retry import RetryPolicy


class Flaky:
    def __init__(self, failures, exc=OSError):
        self.failures, self.calls, self.exc = failures, 0, exc

    def __call__(self):
        self.calls += 1
        if self.calls <= self.failures:
            raise self.exc("boom")
        return "ok"


def test_a_transient_failure_twice_then_success_takes_three_attempts_and_two_waits():
    waits = []
    policy = RetryPolicy(attempts=3, sleep=waits.append, rand=lambda: 0.0)

    assert policy.run(Flaky(2), lambda e: True) == "ok"
    assert waits == [0.2, 0.4]


def test_a_failure_that_is_not_retryable_is_raised_after_one_attempt():
    waits, flaky = [], Flaky(5, ValueError)

    with pytest.raises(ValueError):
        RetryPolicy(sleep=waits.append).run(flaky, lambda e: not isinstance(e, ValueError))
    assert flaky.calls == 1 and waits == []


def test_attempts_are_capped_and_the_last_error_is_raised():
    flaky = Flaky(10)

    with pytest.raises(OSError):
        RetryPolicy(attempts=3, sleep=lambda s: None).run(flaky, lambda e: True)
    assert flaky.calls == 3


def test_jitter_shortens_waits_and_backoff_is_capped():
    policy = RetryPolicy(backoff_factor=1, backoff_max=3, jitter=0.5, rand=lambda: 1.0)

    assert [policy.backoff(n) for n in (1, 2, 3, 4)] == [0.5, 1.0, 1.5, 1.5]


def test_no_new_attempt_starts_once_the_total_time_would_be_exceeded():
    now = [0.0]
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        now[0] += seconds

    flaky = Flaky(10)
    policy = RetryPolicy(attempts=10, backoff_factor=1, backoff_max=1, jitter=0, total_s=2.5,
                         sleep=sleep, clock=lambda: now[0])
    with pytest.raises(OSError):
        policy.run(flaky, lambda e: True)
    assert flaky.calls == 3 and waits == [1, 1]
