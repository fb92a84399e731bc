"""Tests for thidua.lib.outbound: no address of the server's own network is reached unless the
administrator allows its network, whatever form the address takes; the connection goes to the
address checked, addressed to the name, and waits no longer than its timeout.

The receivers reached are real servers on loopback, allowed as an administrator allows an
internal one; nothing leaves the machine."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.lib import outbound

PRIVATE = [
    "127.0.0.1",
    "127.8.9.10",
    "10.0.0.1",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # the clouds' metadata service
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.10",
    "::1",
    "::",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
]
INTERNAL = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16"]
INTERNAL += ["100.64.0.0/10", "0.0.0.0/8", "fc00::/7", "fe80::/10", "ff00::/8", "::ffff:a00:0/104"]
PUBLIC = ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]
LOOPBACK = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]


def allowed(address: str, *networks: str) -> bool:
    return outbound.address_allowed(
        ipaddress.ip_address(address), [ipaddress.ip_network(n) for n in networks]
    )


@pytest.mark.parametrize("address", PRIVATE)
def test_a_private_local_or_reserved_address_is_refused(address: str) -> None:
    assert not allowed(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_a_public_address_is_allowed(address: str) -> None:
    assert allowed(address)


def test_an_allowed_network_opens_that_network_and_no_other() -> None:
    assert allowed("10.20.0.5", "10.20.0.0/16")
    assert allowed("::ffff:10.20.0.5", "10.20.0.0/16")
    assert not allowed("10.21.0.5", "10.20.0.0/16")
    assert not allowed("169.254.169.254", "10.20.0.0/16")


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_an_ipv4_address_and_its_mapped_form_are_judged_alike(number: int) -> None:
    address = ipaddress.IPv4Address(number)
    mapped = ipaddress.IPv6Address(f"::ffff:{address}")
    assert allowed(str(address)) == allowed(str(mapped))


@given(
    st.sampled_from(INTERNAL),
    st.integers(min_value=0),
)
def test_no_address_of_an_internal_network_is_ever_allowed(network: str, offset: int) -> None:
    inside = ipaddress.ip_network(network)
    address = inside[offset % inside.num_addresses]
    assert not allowed(str(address))


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_an_ipv4_address_refused_is_refused_in_its_6to4_and_nat64_forms_too(number: int) -> None:
    address = ipaddress.IPv4Address(number)
    sixtofour = ipaddress.IPv6Address((0x2002 << 112) | (number << 80) | 1)
    nat64 = ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | number)
    assert address in outbound.carried(sixtofour) and address in outbound.carried(nat64)
    if not allowed(str(address)):
        assert not allowed(str(sixtofour)) and not allowed(str(nat64))


@given(st.integers(min_value=0, max_value=2**32 - 1), st.sampled_from(INTERNAL))
def test_allowing_a_network_never_refuses_an_address_allowed_before(
    number: int, network: str
) -> None:
    address = str(ipaddress.IPv4Address(number))
    if allowed(address):
        assert allowed(address, network)


# --- resolving the name ----------------------------------------------------------------------


@pytest.mark.parametrize("url", ["ftp://8.8.8.8/list.crl", "http:///hook", "file:///etc/passwd"])
def test_an_address_that_is_not_http_or_https_is_refused(url: str) -> None:
    with pytest.raises(outbound.NotWeb):
        outbound.target(url, networks=[], ports=outbound.WEB_PORTS)


@pytest.mark.parametrize("url", ["https://8.8.8.8:8443/hook", "http://8.8.8.8:99999/hook"])
def test_a_port_not_allowed_is_refused_and_the_allowed_ones_listed(url: str) -> None:
    with pytest.raises(outbound.PortRefused) as refused:
        outbound.target(url, networks=[], ports=outbound.WEB_PORTS)
    assert refused.value.ports == "80, 443"


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost/hook",  # a name for loopback
        "http://2130706433/hook",  # 127.0.0.1 as one decimal number
        "http://0177.0.0.1/hook",  # and in octal
        "http://[::ffff:127.0.0.1]/hook",
    ],
)
def test_a_name_or_form_leading_to_loopback_is_refused_unless_allowed(url: str) -> None:
    with pytest.raises(outbound.NotPublic) as refused:
        outbound.target(url, networks=[], ports=outbound.WEB_PORTS)
    assert all(a.is_loopback for a in outbound.carried(refused.value.address))
    assert outbound.target(url, networks=LOOPBACK, ports=outbound.WEB_PORTS).addresses


def test_a_name_without_an_address_is_unresolved_not_refused() -> None:
    with pytest.raises(outbound.Unresolved) as unresolved:
        outbound.target("https://nothing.invalid/hook", networks=[], ports=outbound.WEB_PORTS)
    assert unresolved.value.host == "nothing.invalid"


def test_the_target_keeps_the_name_the_port_the_path_and_the_addresses_checked() -> None:
    where = outbound.target("https://localhost:8443/in?a=1", networks=LOOPBACK, ports=[8443])
    assert (where.https, where.host, where.port, where.path) == (True, "localhost", 8443, "/in?a=1")
    assert "127.0.0.1" in where.addresses  # and ::1 too, where localhost names it
    assert all(ipaddress.ip_address(a).is_loopback for a in where.addresses)


# --- connecting to the address checked --------------------------------------------------------


@pytest.fixture
def redirecting() -> Iterator[tuple[int, list[bytes]]]:
    """A loopback server answering every request with a redirect to the metadata service, and
    the requests' heads as they came over the wire."""
    heads: list[bytes] = []
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                peer, _address = listener.accept()
            except OSError:  # shut down: the test is over
                return
            with peer:
                head = b""
                while b"\r\n\r\n" not in head and (chunk := peer.recv(4096)):
                    head += chunk
                heads.append(head.partition(b"\r\n\r\n")[0])
                peer.sendall(
                    b"HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/\r\n"
                    b"Content-Length: 0\r\n\r\n"
                )

    threading.Thread(target=serve, daemon=True).start()
    yield int(listener.getsockname()[1]), heads
    listener.shutdown(socket.SHUT_RDWR)
    listener.close()


def test_the_request_reaches_the_address_checked_addressed_to_the_name_and_stops_at_a_redirect(
    redirecting: tuple[int, list[bytes]],
) -> None:
    port, heads = redirecting
    where = outbound.target(f"http://localhost:{port}/in?a=1", networks=LOOPBACK, ports=[port])
    connection = outbound.connection(where, 2)
    try:
        connection.request("GET", where.path)
        answer = connection.getresponse()
    finally:
        connection.close()
    assert answer.status == 302
    (head,) = heads  # asked once: the redirect is not followed
    lines = head.split(b"\r\n")
    assert lines[0] == b"GET /in?a=1 HTTP/1.1"
    assert f"Host: localhost:{port}".encode() in lines


def test_a_receiver_that_never_answers_costs_the_timeout_and_no_more() -> None:
    with socket.socket() as silent:  # accepts the connection (the backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = int(silent.getsockname()[1])
        where = outbound.target(f"http://127.0.0.1:{port}/", networks=LOOPBACK, ports=[port])
        connection = outbound.connection(where, 0.3)
        try:
            connection.request("GET", where.path)
            with pytest.raises(TimeoutError):
                connection.getresponse()
        finally:
            connection.close()


def test_a_refusal_is_said_in_the_callers_words_with_its_particulars() -> None:
    words = outbound.Words(
        not_web="only the web", ports="only %(ports)s", private="%(host)s is %(address)s"
    )
    said = []
    for url in ("ftp://example.org/", "http://127.0.0.1:8080/", "http://127.0.0.1/"):
        with pytest.raises(outbound.Refused) as refused:
            outbound.target(url, networks=[], ports=outbound.WEB_PORTS)
        said.append(refused.value.said(words))
    assert said == ["only the web", "only 80, 443", "127.0.0.1 is 127.0.0.1"]
