"""The standard-header check of the anonymous forms (`server/web/origin_check.py`)."""

from __future__ import annotations

import pytest
from multidict import CIMultiDict

from mitwirken.server.web.origin_check import cross_site_reason, origin_of

OWN = "https://stadt.example"


@pytest.mark.parametrize(("url", "origin"), [
    ("https://stadt.example", OWN), ("https://Stadt.Example:443/", OWN),
    ("https://stadt.example/pfad?x=1", OWN), ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ("http://[::1]:80", "http://[::1]"), ("null", None), ("ftp://stadt.example", None),
    ("https://stadt.example:99999", None), ("", None)])
def test_origin_of_normalises(url, origin):
    assert origin_of(url) == origin


@pytest.mark.parametrize(("headers", "reason"), [
    ({}, None),
    ({"Origin": OWN}, None),
    ({"origin": "https://stadt.example:443"}, None),
    ({"Origin": "https://evil.example"}, "origin"),
    ({"Origin": "http://stadt.example"}, "origin"),  # downgraded scheme is another origin
    ({"Origin": "https://stadt.example.evil.example"}, "origin"),
    ({"Origin": "null"}, "origin"),
    ({"Sec-Fetch-Site": "same-origin", "Origin": OWN}, None),
    ({"Sec-Fetch-Site": "none"}, None),
    ({"Sec-Fetch-Site": "cross-site", "Origin": OWN}, "sec_fetch_site:cross-site"),
    ({"Sec-Fetch-Site": "same-site"}, "sec_fetch_site:same-site"),
    # Sec-Fetch-Site wins: a same-origin fetch is not refused for an odd Origin
    ({"Sec-Fetch-Site": "same-origin", "Origin": "https://proxy.internal:8080"}, None),
])
def test_cross_site_reason(headers, reason):
    assert cross_site_reason(CIMultiDict(headers), OWN) == reason
