from __future__ import annotations

import pytest

from maestro_jupyter.errors import RateLimited
from maestro_jupyter.server.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_up_to_the_limit_then_refusal_with_retry_after():
    clock = Clock()
    limiter = RateLimiter(limit=3, window=30, clock=clock)
    for _ in range(3):
        limiter.check("ana")
    with pytest.raises(RateLimited) as info:
        limiter.check("ana")
    assert info.value.retry_after == 10  # one token per 10 s
    assert info.value.status == 429


def test_tokens_refill_with_time():
    clock = Clock()
    limiter = RateLimiter(limit=2, window=10, clock=clock)
    limiter.check("ana")
    limiter.check("ana")
    clock.now += 4.9
    with pytest.raises(RateLimited):
        limiter.check("ana")
    clock.now += 0.2
    limiter.check("ana")  # 5.1 s at 0.2 token/s: one token back


def test_users_have_separate_budgets():
    limiter = RateLimiter(limit=1, window=60, clock=Clock())
    limiter.check("ana")
    limiter.check("bob")
    with pytest.raises(RateLimited):
        limiter.check("ana")


def test_refused_requests_do_not_spend_tokens():
    clock = Clock()
    limiter = RateLimiter(limit=1, window=10, clock=clock)
    limiter.check("ana")
    for _ in range(5):
        with pytest.raises(RateLimited):
            limiter.check("ana")
    clock.now += 10
    limiter.check("ana")
