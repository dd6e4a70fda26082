"""Unit tests for federation.signatures (security.md group A). Pure: no network."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from bovine.crypto import generate_rsa_public_private_key
from bovine.crypto.helper import content_digest_sha256
from bovine.crypto.http_signature import HttpSignature
from bovine.crypto.types import CryptographicSecret

from mitwirken.federation.signatures import (
    PublicKey,
    SignatureError,
    Verified,
    check_actor,
    key_id_of,
    sign_headers,
    verify_request,
)

PUB_A, PRIV_A = generate_rsa_public_private_key()
PUB_B, PRIV_B = generate_rsa_public_private_key()

ACTOR = "https://stadt-a.example/users/jugendamt"
KEY_ID = ACTOR + "#main-key"
OURS = {"stadt-b.example"}
INBOX = "https://stadt-b.example/inbox"
BODY = b'{"type":"Create","actor":"https://stadt-a.example/users/jugendamt"}'
NOW = datetime(2026, 5, 4, 12, 0, 0, tzinfo=UTC)


class Keys:
    """dict-backed KeyLookup; ``refreshed`` overrides the cache when refresh=True."""

    def __init__(self, cached: dict[str, str], refreshed: dict[str, str] | None = None):
        self.cached = cached
        self.refreshed = refreshed if refreshed is not None else cached
        self.refreshes = 0
        self.calls = 0

    async def __call__(self, key_id: str, refresh: bool) -> PublicKey | None:
        self.calls += 1
        if refresh:
            self.refreshes += 1
        pem = (self.refreshed if refresh else self.cached).get(key_id)
        return PublicKey(key_id, ACTOR, pem) if pem else None


async def verify(method="POST", path_qs="/inbox", headers=None, body=BODY, keys=None, **kw):
    kw.setdefault("now", NOW)
    return await verify_request(
        method, path_qs, headers, body, our_hosts=OURS,
        key_lookup=keys or Keys({KEY_ID: PUB_A}), **kw,
    )


def signed_post(body: bytes = BODY, url: str = INBOX, now: datetime = NOW, priv: str = PRIV_A):
    return sign_headers("POST", url, key_id=KEY_ID, private_key_pem=priv, body=body, now=now)


def craft(fields: list[tuple[str, str]], algorithm: str = "rsa-sha256") -> str:
    """An attacker's hand-made draft-cavage header over exactly ``fields``."""
    hs = HttpSignature()
    for name, value in fields:
        hs.with_field(name, value)
    header = hs.sign_for_http_draft(CryptographicSecret.from_pem(KEY_ID, PRIV_A))
    return header.replace('algorithm="rsa-sha256"', f'algorithm="{algorithm}"')


def base_headers(body: bytes = BODY) -> dict[str, str]:
    return {
        "Host": "stadt-b.example",
        "Date": "Mon, 04 May 2026 12:00:00 GMT",
        "Digest": content_digest_sha256(body, prefix="SHA-256"),
        "Content-Type": "application/activity+json",
    }


async def expect_error(reason_part: str | None = None, **kw) -> SignatureError:
    with pytest.raises(SignatureError) as info:
        await verify(**kw)
    if reason_part:
        assert reason_part in info.value.reason
    return info.value


# --------------------------------------------------------------------------- draft-cavage


async def test_post_round_trip():
    headers = signed_post()
    digest = base64.b64encode(hashlib.sha256(BODY).digest()).decode()
    assert headers["Digest"] == "SHA-256=" + digest
    assert 'headers="(request-target) host date digest content-type"' in headers["Signature"]
    assert headers["Date"] == "Mon, 04 May 2026 12:00:00 GMT"
    assert await verify(headers=headers) == Verified(KEY_ID, ACTOR, "draft-cavage")


async def test_get_round_trip_signs_accept_and_query():
    headers = sign_headers("GET", "https://stadt-b.example/outbox?page=1", key_id=KEY_ID,
                           private_key_pem=PRIV_A, now=NOW)
    assert headers["Accept"] == "application/activity+json" and "Digest" not in headers
    assert 'headers="(request-target) host date accept"' in headers["Signature"]
    result = await verify("GET", "/outbox?page=1", headers, b"")
    assert result.owner == ACTOR


async def test_host_keeps_non_default_port_only():
    h1 = sign_headers("GET", "http://localhost:8080/a", key_id=KEY_ID, private_key_pem=PRIV_A)
    h2 = sign_headers("GET", "https://Stadt-B.example:443/a", key_id=KEY_ID, private_key_pem=PRIV_A)
    assert (h1["Host"], h2["Host"]) == ("localhost:8080", "stadt-b.example")


async def test_tampered_body():
    await expect_error("Digest does not match", headers=signed_post(), body=BODY + b" ")


async def test_wrong_digest_header_even_if_signed():
    headers = base_headers()
    headers["Digest"] = content_digest_sha256(b"other", prefix="SHA-256")
    headers["Signature"] = craft([("(request-target)", "post /inbox"), ("host", headers["Host"]),
                                  ("date", headers["Date"]), ("digest", headers["Digest"])])
    await expect_error("Digest does not match", headers=headers)


async def test_digest_not_signed():
    headers = base_headers()
    headers["Signature"] = craft([("(request-target)", "post /inbox"), ("host", headers["Host"]),
                                  ("date", headers["Date"])])
    await expect_error("Digest is not signed", headers=headers)


@pytest.mark.parametrize(("offset", "ok"), [
    (timedelta(hours=-2), False), (timedelta(hours=2), False),
    (timedelta(minutes=-50), True), (timedelta(minutes=50), True),
])
async def test_date_window(offset, ok):
    headers = signed_post(now=NOW + offset)
    if ok:
        assert (await verify(headers=headers)).owner == ACTOR
    else:
        await expect_error("Date", headers=headers)


async def test_unparsable_date():
    headers = base_headers()
    headers["Date"] = "wrong date"
    headers["Signature"] = craft([("(request-target)", "post /inbox"), ("host", headers["Host"]),
                                  ("date", headers["Date"]), ("digest", headers["Digest"])])
    await expect_error("invalid Date", headers=headers)


async def test_host_not_signed_is_rejected():
    """A-05: bovine accepts this; a replay to a sister city would go through."""
    headers = base_headers()
    headers["Signature"] = craft([("(request-target)", "post /inbox"), ("date", headers["Date"]),
                                  ("digest", headers["Digest"])])
    await expect_error("Host is not signed", headers=headers)


async def test_request_target_not_signed_is_rejected():
    """A-02: without (request-target) the signature could be replayed to any path."""
    headers = base_headers()
    headers["Signature"] = craft([("host", headers["Host"]), ("date", headers["Date"]),
                                  ("digest", headers["Digest"])])
    await expect_error("(request-target) is not signed", headers=headers)


async def test_host_signed_but_not_ours():
    headers = signed_post(url="https://stadt-a.example/inbox")
    await expect_error("not addressed to this host", headers=headers)


async def test_replay_with_rewritten_host_fails_signature():
    headers = signed_post(url="https://stadt-c.example/inbox")
    headers["Host"] = "stadt-b.example"
    await expect_error("does not verify", headers=headers)


async def test_request_target_method_and_path_are_checked():
    await expect_error("does not verify", headers=signed_post(), path_qs="/users/x/inbox")
    await expect_error(headers=signed_post(), method="PUT")


@pytest.mark.parametrize("algorithm", ["hs2019", None])
async def test_hs2019_and_absent_algorithm_accepted(algorithm):
    headers = base_headers()
    headers["Signature"] = craft([("(request-target)", "post /inbox"), ("host", headers["Host"]),
                                  ("date", headers["Date"]), ("digest", headers["Digest"])],
                                 algorithm=algorithm or "X")
    if algorithm is None:
        headers["Signature"] = headers["Signature"].replace('algorithm="X",', "")
    assert (await verify(headers=headers)).scheme == "draft-cavage"


async def test_unknown_algorithm_rejected():
    headers = base_headers()
    headers["Signature"] = craft([("(request-target)", "post /inbox"), ("host", headers["Host"]),
                                  ("date", headers["Date"]), ("digest", headers["Digest"])],
                                 algorithm="hmac-sha256")
    await expect_error("unsupported signature algorithm", headers=headers)


async def test_mastodon_signature_prefix_tolerated():
    headers = signed_post()
    headers["Signature"] = "Signature " + headers["Signature"]
    assert (await verify(headers=headers)).owner == ACTOR


async def test_lowercase_header_names_and_hs2019_created():
    created = int(NOW.timestamp())
    hs = (HttpSignature().with_field("(request-target)", "post /inbox")
          .with_field("(created)", str(created)).with_field("host", "stadt-b.example")
          .with_field("digest", base_headers()["Digest"]))
    sig = hs.sign_for_http_draft(CryptographicSecret.from_pem(KEY_ID, PRIV_A))
    sig = sig.replace('algorithm="rsa-sha256"', f'algorithm="hs2019",created={created}')
    headers = {"host": "stadt-b.example", "digest": base_headers()["Digest"], "signature": sig}
    assert (await verify(headers=headers)).owner == ACTOR
    stale = sig.replace(f"created={created}", f"created={created - 7200}")
    await expect_error("created", headers={**headers, "signature": stale})


async def test_path_query_and_path_only_fallback():
    # GoToSocial style: query signed.
    headers = sign_headers("GET", "https://stadt-b.example/outbox?page=1", key_id=KEY_ID,
                           private_key_pem=PRIV_A, now=NOW)
    assert (await verify("GET", "/outbox?page=1", headers, b"")).owner == ACTOR
    # signed for page=1 but sent as page=999.
    await expect_error("does not verify", method="GET", path_qs="/outbox?page=999",
                       headers=headers, body=b"")
    # Mastodon style: only the path signed, query sent.
    headers = sign_headers("GET", "https://stadt-b.example/outbox", key_id=KEY_ID,
                           private_key_pem=PRIV_A, now=NOW)
    assert (await verify("GET", "/outbox?page=1", headers, b"")).owner == ACTOR


async def test_key_rotation_refreshes_exactly_once():
    keys = Keys({KEY_ID: PUB_A}, refreshed={KEY_ID: PUB_B})
    result = await verify(headers=signed_post(priv=PRIV_B), keys=keys)
    assert result.owner == ACTOR and keys.refreshes == 1


async def test_bad_signature_refreshes_once_then_fails():
    keys = Keys({KEY_ID: PUB_A}, refreshed={KEY_ID: PUB_B})
    headers = signed_post(priv=PRIV_B)
    headers["Signature"] = headers["Signature"].replace('signature="', 'signature="AAAA')
    await expect_error(headers=headers, keys=keys)
    assert keys.refreshes == 1


async def test_valid_cached_key_needs_no_refresh():
    keys = Keys({KEY_ID: PUB_A})
    await verify(headers=signed_post(), keys=keys)
    assert keys.refreshes == 0


async def test_unknown_key():
    await expect_error("unknown key", headers=signed_post(), keys=Keys({}))


async def test_key_lookup_exception_becomes_signature_error():
    async def boom(key_id: str, refresh: bool) -> PublicKey | None:
        raise OSError("network down")

    await expect_error("key lookup failed", headers=signed_post(), keys=boom)


async def test_garbage_is_rejected_before_key_lookup():
    keys = Keys({KEY_ID: PUB_A})
    await expect_error("request not signed", headers=base_headers(), keys=keys)
    await expect_error("Date", headers=signed_post(now=NOW - timedelta(days=2)), keys=keys)
    assert keys.calls == 0


CAVAGE_GARBAGE = [
    "", "garbage", 'keyId="k"', 'keyId="k",signature="AAAA"', ",,,,", '="', 'keyId=""',
    f'keyId="{KEY_ID}",headers="(request-target) host date digest",signature="!!!notb64"',
    f'keyId="{KEY_ID}",headers="(request-target) host date digest",signature="QUJD"',
    f'keyId="{KEY_ID}",headers="(request-target) host date digest x-missing",signature="QQ=="',
    f'keyId="{KEY_ID}",algorithm="hs2019",headers="(request-target) host (created) digest",'
    'created="soon",signature="QQ=="',
    f'keyId="{KEY_ID}",algorithm="rsa-sha256",headers="(request-target) host (created) digest",'
    'created=1,signature="QQ=="',
    "Signature \x00\xff", 'keyId="a,b",headers="host",signature="x"',
]


@pytest.mark.parametrize("value", CAVAGE_GARBAGE)
async def test_cavage_garbage_raises_signature_error_only(value):
    await expect_error(headers={**base_headers(), "Signature": value})


async def test_check_actor():
    verified = Verified(KEY_ID, ACTOR, "draft-cavage")
    check_actor(verified, ACTOR)
    with pytest.raises(SignatureError, match="key owner is not the actor"):
        check_actor(verified, "https://evil.example/actor")
    with pytest.raises(SignatureError):
        check_actor(verified, ACTOR + "/")


# --------------------------------------------------------------------------- RFC 9421


def rfc9421_headers(*, body: bytes = BODY, created: int | None = None, priv: str = PRIV_A,
                    components: tuple[str, ...] = ("@method", "@target-uri", "@authority",
                                                   "host", "date", "content-digest"),
                    url: str = INBOX) -> dict[str, str]:
    """Sign like Fedify does (signRequestRfc9421), assembling the RFC 9421 §2.5 base by hand."""
    created = int(NOW.timestamp()) if created is None else created
    authority = url.split("/")[2]
    headers = {
        "Host": authority,
        "Date": "Mon, 04 May 2026 12:00:00 GMT",
        "Content-Digest": "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode()
        + ":",
    }
    values = {"@method": "POST", "@target-uri": url, "@authority": authority,
              "host": headers["Host"], "date": headers["Date"],
              "content-digest": headers["Content-Digest"], "@path": "/inbox"}
    params = "(" + " ".join(f'"{c}"' for c in components) + ")"
    params += f';alg="rsa-v1_5-sha256";keyid="{KEY_ID}";created={created}'
    base = "\n".join([*(f'"{c}": {values[c]}' for c in components),
                      f'"@signature-params": {params}'])
    sig = CryptographicSecret.from_pem(KEY_ID, priv).sign(base)
    headers["Signature-Input"] = f"sig1={params}"
    headers["Signature"] = f"sig1=:{sig}:"
    return headers


async def test_rfc9421_fedify_style_verifies():
    result = await verify(headers=rfc9421_headers())
    assert result == Verified(KEY_ID, ACTOR, "rfc9421")


async def test_rfc9421_path_instead_of_target_uri():
    headers = rfc9421_headers(components=("@method", "@path", "@authority", "content-digest"))
    assert (await verify(headers=headers)).scheme == "rfc9421"


async def test_rfc9421_key_rotation():
    keys = Keys({KEY_ID: PUB_A}, refreshed={KEY_ID: PUB_B})
    assert (await verify(headers=rfc9421_headers(priv=PRIV_B), keys=keys)).owner == ACTOR
    assert keys.refreshes == 1


async def test_rfc9421_tampered_body():
    await expect_error("Content-Digest does not match", headers=rfc9421_headers(),
                       body=BODY + b"!")


async def test_rfc9421_old_created():
    """A-08(b): http-sf 1.0.x bovine accepted created=2020-01-01."""
    await expect_error("created", headers=rfc9421_headers(created=1577836800))


async def test_rfc9421_other_host():
    await expect_error("not addressed", headers=rfc9421_headers(url="https://stadt-a.example/inbox"))


@pytest.mark.parametrize(("components", "reason"), [
    (("@target-uri", "@authority", "content-digest"), "@method"),
    (("@method", "@authority", "content-digest"), "@target-uri"),
    (("@method", "@target-uri", "content-digest"), "@authority"),
    (("@method", "@target-uri", "@authority"), "Content-Digest is not signed"),
])
async def test_rfc9421_required_components(components, reason):
    await expect_error(reason, headers=rfc9421_headers(components=components))


RFC9421_GARBAGE: list[tuple[str, str]] = [
    ("", "sig1=:QQ==:"),
    ("garbage(((", "sig1=:QQ==:"),
    ("sig1", "sig1=:QQ==:"),
    ("sig1=(", "sig1=:QQ==:"),
    ('sig1=("@method");created=1', "sig1=:QQ==:"),
    ('sig1=("@method" "@target-uri" "@authority" "content-digest");created=1777896000',
     "sig1=:QQ==:"),  # keyid missing
    (f'sig1=("@method" "@target-uri" "@authority" "content-digest");keyid="{KEY_ID}"',
     "sig1=:QQ==:"),  # created missing
    (f'sig1=("@method" "@target-uri" "@authority" "content-digest");keyid="{KEY_ID}";'
     "created=1777896000", "sig1=:!!!notbase64:"),
    (f'sig1=("@method" "@target-uri" "@authority" "content-digest");keyid="{KEY_ID}";'
     "created=1777896000", "sig1=:QQ==:"),  # too short, valid base64
    (f'sig1=("@method" "@target-uri" "@authority" "content-digest");keyid="{KEY_ID}";'
     "created=1777896000", "sig2=:QQ==:"),  # label mismatch
    (f'sig1=("@method" "@target-uri" "@authority" "content-digest");keyid="{KEY_ID}";'
     "created=1777896000", 'sig1="string"'),
    (f'sig1=("@method" "@target-uri" "@authority" "content-digest");keyid="{KEY_ID}";'
     'created="now"', "sig1=:QQ==:"),
    ('sig1=("@method" "@target-uri" "@authority" "content-digest");keyid=1;'
     "created=1777896000", "sig1=:QQ==:"),
    (f'sig1=("@method" "@target-uri" "@authority" "content-digest");keyid="{KEY_ID}";'
     'created=1777896000;alg="hmac-sha256"', "sig1=:QQ==:"),
    (f'sig1=("@method";req "@target-uri" "@authority" "content-digest");keyid="{KEY_ID}";'
     "created=1777896000", "sig1=:QQ==:"),
    (f'sig1=("@method" "@target-uri" "@authority" "content-digest" "@query-param");'
     f'keyid="{KEY_ID}";created=1777896000', "sig1=:QQ==:"),
    (f'sig1=("@method" "@target-uri" "@authority" "content-digest" "x-absent");'
     f'keyid="{KEY_ID}";created=1777896000', "sig1=:QQ==:"),
    (f'sig1=("@method" "@target-uri" "@authority" "content-digest");keyid="{KEY_ID}";'
     f'created=1777896000, sig2=("@method");keyid="{KEY_ID}";created=1', "sig1=:QQ==:"),
    (f'sig1=("@method" "@method" "@target-uri" "@authority" "content-digest");'
     f'keyid="{KEY_ID}";created=1777896000', "sig1=:QQ==:"),
    (f'sig1=("@method" "@target-uri" "@authority" "content-digest");keyid="{KEY_ID}";'
     "created=99999999999999999", "sig1=:QQ==:"),
    (f'sig1=("@method" "@target-uri" "@authority" "content-digest");keyid="{KEY_ID}";'
     "created=999999999999999", "sig1=:QQ==:"),
    (f'sig1=("@method" "@target-uri" "@authority" "content-digest");keyid="{KEY_ID}";'
     "created=-999999999999999", "sig1=:QQ==:"),
    ('sig1="@method";keyid="k";created=1', "sig1=:QQ==:"),
    ("sig1=(1 2 3);keyid=\"k\";created=1", "sig1=:QQ==:"),
    ("\x00\xff", "\x00"),
]


@pytest.mark.parametrize(("sig_input", "sig"), RFC9421_GARBAGE)
async def test_rfc9421_garbage_raises_signature_error_only(sig_input, sig):
    headers = {**rfc9421_headers(), "Signature-Input": sig_input, "Signature": sig}
    await expect_error(headers=headers)


async def test_rfc9421_without_signature_header():
    headers = rfc9421_headers()
    del headers["Signature"]
    await expect_error("request not signed", headers=headers)


# --------------------------------------------------------------------------- key_id_of


def test_key_id_of():
    assert key_id_of(signed_post()) == KEY_ID
    assert key_id_of({"signature": "Signature " + signed_post()["Signature"]}) == KEY_ID
    assert key_id_of(rfc9421_headers()) == KEY_ID
    for bad in [{}, {"Signature": "garbage"}, {"Signature-Input": "sig1=(((", "Signature": "x"},
                {"Signature-Input": 'sig1=("@method");created=1'}, {"Signature": None}]:
        assert key_id_of(bad) is None  # type: ignore[arg-type]


async def test_aiohttp_multidict_headers_and_crash_safety_net():
    from multidict import CIMultiDict, CIMultiDictProxy

    headers = CIMultiDictProxy(CIMultiDict(signed_post()))
    assert (await verify(headers=headers)).owner == ACTOR

    class Exploding(dict):
        def items(self):
            raise RuntimeError("boom")

    await expect_error("malformed signature", headers=Exploding())
