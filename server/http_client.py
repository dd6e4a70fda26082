"""The one factory for every outgoing HTTP client session of the project.

The server, its workers, every CLI command and `mitwirken check` get their
`aiohttp.ClientSession` here, so none of them can drift from the others: names that resolve to
private, loopback or link-local addresses are refused by `PublicOnlyResolver` before a
connection is made, and every socket by `public_only_socket` when the address it connects to
is not public, unless the instance allows the private network (tests, demos), or the
session is `mitwirken check`'s look at its own address (see `client_session`). A test resolver
that maps fake host names replaces the system DNS underneath that guard.
`tests/unit/test_layers.py` refuses a `ClientSession(...)` anywhere else.
"""

from __future__ import annotations

import aiohttp
from aiohttp.abc import AbstractResolver

from mitwirken.federation.fetch import PublicOnlyResolver, public_only_socket

USER_AGENT = "Mitwirken (+https://github.com/mitwirken/mitwirken)"
CONNECTIONS = 200  # overall, for the delivery fan-out
CONNECTIONS_PER_HOST = 8  # politeness towards one peer


def guarded_resolver(*, allow_private_network: bool,
                     resolver: AbstractResolver | None = None) -> AbstractResolver | None:
    """The resolver a session dials through: `resolver` (None: the system DNS), wrapped in
    `PublicOnlyResolver` unless the private network is allowed."""
    if allow_private_network:
        return resolver
    return PublicOnlyResolver(resolver)


def client_session(*, allow_private_network: bool, resolver: AbstractResolver | None = None,
                   user_agent: str = USER_AGENT, timeout: float | None = None,
                   guard_private_addresses: bool = True) -> aiohttp.ClientSession:
    """A new session; the caller closes it (`async with client_session(...) as session`).

    `timeout` is the total seconds per request when the caller does not pass its own per
    request (the fetcher and the delivery worker do); None keeps aiohttp's default.
    `guard_private_addresses=False` is for `mitwirken check` alone: it asks this instance's
    own public URL, which on the server itself may resolve to a loopback or private address
    (split-horizon DNS, a proxy on the same host), and fetches nothing on anyone's behalf."""
    guarded = guard_private_addresses and not allow_private_network
    dial = (guarded_resolver(allow_private_network=allow_private_network, resolver=resolver)
            if guard_private_addresses else resolver)
    # Twice guarded: names are refused when they resolve inwards, and every socket is refused
    # when the address it connects to is not public (the resolver's answer is not trusted).
    connector = aiohttp.TCPConnector(resolver=dial, limit=CONNECTIONS,
                                     limit_per_host=CONNECTIONS_PER_HOST,
                                     socket_factory=public_only_socket if guarded else None)
    per_request = {} if timeout is None else {"timeout": aiohttp.ClientTimeout(total=timeout)}
    return aiohttp.ClientSession(connector=connector, headers={"User-Agent": user_agent},
                                 **per_request)
