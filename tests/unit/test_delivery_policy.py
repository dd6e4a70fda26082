"""Delivery outcome policy: which answers are retried, how long we wait, how long we try
(interop.md §5, security.md F-06/F-07)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from mitwirken.federation.delivery import (
    MAX_ATTEMPTS,
    backoff,
    classify,
    retry_after,
    total_schedule,
)

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("status", "outcome"), [
    (200, "done"), (201, "done"), (202, "done"), (204, "done"),
    (400, "final"), (403, "final"), (404, "final"), (410, "final"), (413, "final"),
    (422, "final"), (501, "final"), (301, "final"),
    (401, "retry"), (408, "retry"), (429, "retry"),
    (500, "retry"), (502, "retry"), (503, "retry"), (504, "retry"),
    (None, "retry"),  # timeouts, refused connections, DNS
])
def test_classify(status, outcome):
    assert classify(status) == outcome


def test_backoff_grows_with_attempts_and_stays_within_jitter():
    for seed in range(20):
        rng = random.Random(seed)
        delays = [backoff(n, rng) for n in range(1, MAX_ATTEMPTS)]
        # jitter may swap the first two (16–36 s vs 31–61 s); from then on n⁴ dominates
        assert delays[1:] == sorted(delays[1:]) and delays[2] > delays[0]
        for n, delay in enumerate(delays, start=1):
            base = n**4 + 15
            assert timedelta(seconds=base) <= delay <= timedelta(seconds=base + 10 * (n + 1))
    assert backoff(0) >= timedelta(seconds=16)  # attempts < 1 count as the first


def test_backoff_has_jitter():
    assert len({backoff(3, random.Random(s)) for s in range(10)}) > 1


def test_total_schedule_is_two_to_three_days_for_16_tries():
    for seed in range(20):
        total = total_schedule(random.Random(seed))
        assert timedelta(days=1.5) <= total <= timedelta(days=4)
    assert MAX_ATTEMPTS == 16


@pytest.mark.parametrize(("value", "expected"), [
    ("120", timedelta(seconds=120)),
    (" 30 ", timedelta(seconds=30)),
    ("0", timedelta(0)),
    ("-5", timedelta(0)),
    ("86400", timedelta(days=1)),
    ("9999999", timedelta(days=1)),  # capped at one day
    (None, None), ("", None), ("soon", None), ("12.5", None), ("Mon, 99 Foo 2026", None),
])
def test_retry_after_seconds_and_garbage(value, expected):
    assert retry_after(value, NOW) == expected


def test_retry_after_http_date():
    in_ten = format_datetime(NOW + timedelta(minutes=10), usegmt=True)
    assert retry_after(in_ten, NOW) == timedelta(minutes=10)
    past = format_datetime(NOW - timedelta(hours=1), usegmt=True)
    assert retry_after(past, NOW) == timedelta(0)
    far = format_datetime(NOW + timedelta(days=30), usegmt=True)
    assert retry_after(far, NOW) == timedelta(days=1)
