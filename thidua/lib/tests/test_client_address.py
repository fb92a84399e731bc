"""Tests for thidua.lib.client_address: the header is believed as far as our proxies wrote it."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.lib.client_address import client_address, networks, parse_address

NGINX = networks(["127.0.0.1", "::1"])
CHAIN = networks(["127.0.0.1", "10.0.0.0/8", "2001:db8:ffff::/48"])


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "client"),
    [
        # No trusted proxy (the default): the header is never read.
        ("127.0.0.1", "203.0.113.5", (), "127.0.0.1"),
        ("198.51.100.7", "203.0.113.5", (), "198.51.100.7"),
        # Behind nginx: the address nginx appended.
        ("127.0.0.1", "203.0.113.5", NGINX, "203.0.113.5"),
        ("::1", "203.0.113.5", NGINX, "203.0.113.5"),
        ("127.0.0.1", "2001:db8::1", NGINX, "2001:db8::1"),
        # A forged header from an untrusted address keeps that address.
        ("198.51.100.7", "203.0.113.5", NGINX, "198.51.100.7"),
        # What the client wrote left of nginx's entry proves nothing.
        ("127.0.0.1", "1.1.1.1, 203.0.113.5", NGINX, "203.0.113.5"),
        ("127.0.0.1", "127.0.0.1, 203.0.113.5", NGINX, "203.0.113.5"),
        # Two trusted hops (a balancer in 10/8 before nginx): past both, no further.
        ("127.0.0.1", "9.9.9.9, 203.0.113.5, 10.1.2.3", CHAIN, "203.0.113.5"),
        ("127.0.0.1", "203.0.113.5,10.1.2.3", CHAIN, "203.0.113.5"),
        ("127.0.0.1", " 203.0.113.5 ,  10.1.2.3 ", CHAIN, "203.0.113.5"),
        ("127.0.0.1", "2001:db8::9, 2001:db8:ffff::1", CHAIN, "2001:db8::9"),
        # Spellings proxies use: brackets, ports, IPv4 inside IPv6, upper case.
        ("127.0.0.1", "[2001:db8::9]:443", NGINX, "2001:db8::9"),
        ("127.0.0.1", "[2001:DB8::9]", NGINX, "2001:db8::9"),
        ("127.0.0.1", "203.0.113.5:51234", NGINX, "203.0.113.5"),
        ("127.0.0.1", "::ffff:203.0.113.5", NGINX, "203.0.113.5"),
        ("::ffff:127.0.0.1", "203.0.113.5", NGINX, "203.0.113.5"),
        # Every hop trusted: the farthest one known.
        ("127.0.0.1", "10.0.0.2, 10.0.0.1", CHAIN, "10.0.0.2"),
        # No header, an empty one, or garbage at a trusted hop: the last proxy that vouched.
        ("127.0.0.1", "", NGINX, "127.0.0.1"),
        ("127.0.0.1", " , ", NGINX, "127.0.0.1"),
        ("127.0.0.1", "unknown", NGINX, "127.0.0.1"),
        ("127.0.0.1", "203.0.113.5, garbage", NGINX, "127.0.0.1"),
        ("127.0.0.1", "203.0.113.5, 10.0.0.1, <script>", CHAIN, "127.0.0.1"),
        ("127.0.0.1", "garbage, 10.0.0.1", CHAIN, "10.0.0.1"),
        ("127.0.0.1", "999.1.1.1", NGINX, "127.0.0.1"),
        ("127.0.0.1", "203.0.113.5/24", NGINX, "127.0.0.1"),
        # A peer that is no address (a Unix socket) is kept as it is, header unread.
        ("", "203.0.113.5", NGINX, ""),
    ],
)
def test_the_client_is_the_first_untrusted_hop_from_the_right(
    remote: str, forwarded: str, trusted: Any, client: str
) -> None:
    assert client_address(remote, forwarded, trusted) == client


def test_trusted_proxies_are_addresses_or_networks_and_nothing_else() -> None:
    assert networks(["127.0.0.1", " 10.0.0.0/8 ", "::1", "", "192.168.1.7/24"]) == (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
        ipaddress.ip_network("192.168.1.0/24"),
    )
    for wrong in ("localhost", "10.0.0.0/33", "nginx"):
        with pytest.raises(ValueError):
            networks([wrong])


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("203.0.113.5", "203.0.113.5"),
        (" 203.0.113.5\t", "203.0.113.5"),
        ("[::1]:8000", "::1"),
        ("", None),
        ("unknown", None),
        ("_hidden", None),
        ("1.2.3", None),
        ("[::1", "::1"),
        ("2001:db8::1:", None),
    ],
)
def test_an_address_is_read_as_proxies_write_it(text: str, address: str | None) -> None:
    parsed = parse_address(text)
    assert (str(parsed) if parsed else None) == address


ADDRESSES = st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)).map(str)
# What else a header may hold: near-addresses and plain garbage, from a small alphabet.
GARBAGE = st.text(alphabet="0123456789abcdefx.:[]/ _", max_size=12)
HEADER_ENTRIES = st.lists(st.one_of(ADDRESSES, GARBAGE), max_size=6)


@given(remote=ADDRESSES, entries=HEADER_ENTRIES)
def test_without_a_trusted_proxy_the_header_changes_nothing(remote: Any, entries: Any) -> None:
    expected = client_address(remote, "", ())
    assert client_address(remote, ", ".join(entries), ()) == expected
    assert expected == str(parse_address(remote))


@given(client=ADDRESSES, forged=HEADER_ENTRIES)
def test_what_the_client_writes_cannot_replace_the_address_nginx_saw(
    client: Any, forged: Any
) -> None:
    header = ", ".join([*forged, client])
    seen = client_address("127.0.0.1", header, NGINX)
    if parse_address(client) in NGINX[0] or parse_address(client) in NGINX[1]:
        return  # a client on the proxy's own host is the proxy
    assert seen == str(parse_address(client))


@given(remote=ADDRESSES, header=HEADER_ENTRIES.map(",".join))
def test_the_answer_is_the_peer_or_an_address_in_the_header(remote: Any, header: Any) -> None:
    seen = client_address(remote, header, CHAIN)
    written = {str(parse_address(e)) for e in header.split(",") if parse_address(e)}
    assert seen == str(parse_address(remote)) or seen in written
    assert parse_address(seen) is not None
