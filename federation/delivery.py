"""Delivery outcome policy and the signed POST itself.

Policy (interop.md §5, Mastodon's DeliveryWorker): 2xx done; 401, 408, 429, 5xx and network
errors retried with growing delays and jitter, about 16 tries over ~2–3 days, honouring
Retry-After; 501 and every other 4xx are final (the peer will never accept it)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Literal

import aiohttp

from mitwirken.federation.signatures import sign_headers

MAX_ATTEMPTS = 16
RETRYABLE_4XX = {401, 408, 429}
FINAL_5XX = {501}  # Not Implemented: Mastodon's response_error_unsalvageable? (interop.md §5)
Outcome = Literal["done", "retry", "final"]


def classify(status: int | None) -> Outcome:
    if status is None:
        return "retry"
    if 200 <= status < 300:
        return "done"
    if status in RETRYABLE_4XX or (status >= 500 and status not in FINAL_5XX):
        return "retry"
    return "final"


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Delay before the next try after `attempts` failed ones: n⁴ + 15 s plus jitter."""
    rng = rng or random.Random()
    n = max(attempts, 1)
    return timedelta(seconds=n**4 + 15 + rng.random() * 10 * (n + 1))


def retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Parse Retry-After (seconds or HTTP date), capped at one day."""
    if not value:
        return None
    value = value.strip()
    try:
        delay = timedelta(seconds=int(value))
    except ValueError:
        try:
            delay = parsedate_to_datetime(value) - now
        except (TypeError, ValueError):
            return None
    return max(timedelta(0), min(delay, timedelta(days=1)))


def total_schedule(rng: random.Random | None = None) -> timedelta:
    """How long the whole retry budget lasts (documented and tested: ~2–3 days)."""
    return sum((backoff(n, rng) for n in range(1, MAX_ATTEMPTS)), timedelta(0))


@dataclass(frozen=True)
class SendResult:
    status: int | None
    error: str | None
    retry_after: str | None


async def send(session: aiohttp.ClientSession, inbox: str, body: bytes, *, key_id: str,
               private_key_pem: str, now: datetime, timeout_seconds: float) -> SendResult:
    """POST one activity, freshly signed (a retry never reuses an old Date)."""
    headers = sign_headers("POST", inbox, key_id=key_id, private_key_pem=private_key_pem,
                           body=body, now=now)
    try:
        async with session.post(inbox, data=body, headers=headers, allow_redirects=False,
                                timeout=aiohttp.ClientTimeout(total=timeout_seconds)) as resp:
            await resp.read()
            return SendResult(resp.status, None if resp.status < 300 else resp.reason,
                              resp.headers.get("Retry-After"))
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return SendResult(None, f"{type(exc).__name__}: {exc}"[:300], None)
