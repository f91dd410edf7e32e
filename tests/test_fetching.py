"""The guarded URL fetcher: SSRF-1..7, against real loopback servers (no network needed)."""

from __future__ import annotations

import ipaddress
import socket
import time

import pytest

from articles import fetching
from articles.fetching import GENERIC_MESSAGE, MALFORMED_MESSAGE, FetchError, FetchPolicy, fetch, resolve_allowed
from tests.local_web_server import LocalWebServer


@pytest.fixture
def server():
    with LocalWebServer() as web:
        yield web


def policy(server: LocalWebServer, **changes) -> FetchPolicy:
    values = {
        "allow_private": True,
        "max_bytes": 100_000,
        "timeout": 2.0,
        "ports": frozenset({server.port}),
        "max_redirects": 3,
    }
    return FetchPolicy(**{**values, **changes})


def refusal(url: str, rules: FetchPolicy) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch(url, rules)
    assert str(caught.value) == GENERIC_MESSAGE
    return caught.value


@pytest.fixture
def only_first_loopback_is_public(monkeypatch):
    """Pretend 127.0.0.1 is a public address, so hops to any other internal address must be refused."""
    monkeypatch.setattr(fetching, "is_public_address", lambda ip: ip == ipaddress.ip_address("127.0.0.1"))


def test_fetches_an_html_page_when_private_addresses_are_allowed(server):
    page = fetch(server.url("/article"), policy(server))
    assert page.content_type == "text/html" and page.charset == "utf-8"
    assert b"Harbour bridge" in page.body and page.url == server.url("/article")


def test_follows_redirects_up_to_the_limit(server):
    assert fetch(server.url("/chain/3"), policy(server)).url == server.url("/article")
    error = refusal(server.url("/chain/4"), policy(server))
    assert error.reason == "too many redirects"


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "[::1]",
        "0.0.0.0",
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "[fd00::1]",
        "100.64.0.1",
        "[::ffff:127.0.0.1]",
        "[64:ff9b::7f00:1]",
        "[2002:7f00:1::]",
    ],
)
def test_ssrf1_internal_addresses_are_refused_before_any_connection(server, host):
    error = refusal(f"http://{host}:{server.port}/article", policy(server, allow_private=False))
    assert error.reason.startswith(("address not allowed", "dns"))
    assert server.connections == 0


NOT_GLOBAL = [
    "127.0.0.1",
    "10.0.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "198.18.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd00::1",
    "2001:db8::1",
    "100::1",
    "ff02::1",
    "3fff::1",
    "5f00::1",
    "::127.0.0.1",
    "::10.0.0.1",
    "::8.8.8.8",  # IPv4-compatible (deprecated)
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",  # IPv4-mapped
    "::ffff:0:7f00:1",
    "::ffff:0:808:808",  # IPv4-translated
    "64:ff9b::7f00:1",
    "64:ff9b::a00:1",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b::c0a8:101",  # NAT64 with a private IPv4
    "64:ff9b:1::a00:1",
    "64:ff9b:1:a00:1::",
    "64:ff9b:1::808:808",  # local-use NAT64 (RFC 8215), any embedding
    "fec0::1",
    "feff::1",  # site-local
    "2002:7f00:1::",
    "2002:a00:1::1",
    "2002:c0a8:101::",
    "2002:a9fe:a9fe::",  # 6to4 with a private IPv4
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",
    "2001:0:7f00:1::",  # Teredo
]
GLOBAL = [
    "8.8.8.8",
    "2606:4700:4700::1111",
    "2a00:1450:4001:81b::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
]


@pytest.mark.parametrize(("address", "is_allowed"), [(a, False) for a in NOT_GLOBAL] + [(a, True) for a in GLOBAL])
def test_ssrf_refuses_every_non_global_address(address, is_allowed):
    """SSRF-1: the resolver step, given literal addresses (no network), refuses every address that is not globally
    routable, including IPv6 forms that carry a private IPv4 address, and lets global ones through."""
    if is_allowed:
        records = resolve_allowed(address, 80, allow_private=False, timeout=1)
        assert [record[4][0] for record in records] == [address]
    else:
        with pytest.raises(FetchError) as caught:
            resolve_allowed(address, 80, allow_private=False, timeout=1)
        assert caught.value.reason.startswith("address not allowed") and str(caught.value) == GENERIC_MESSAGE


@pytest.mark.parametrize("host", ["[::127.0.0.1]", "[::ffff:0:7f00:1]", "[64:ff9b:1::7f00:1]", "[2002:7f00:1::1]"])
def test_ssrf1_ipv6_forms_of_loopback_are_refused_before_any_connection(server, host):
    error = refusal(f"http://{host}:{server.port}/article", policy(server, allow_private=False))
    assert error.reason.startswith("address not allowed") and server.connections == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://exa mple.com/",
        "http://a\x01b.com/",
        "http://a\x00b.com/",
        "http://exa\tmple.com/",
        "http://a\nb/",
        "http://ex\u3000ample.com/",
        "http://a\xa0b.com/",
        "http://a\x7fb/",
        "http://[::1/",
        "http://[::1 ]/",
        "http://" + "a" * 64 + ".com/",
        "http://" + "ab." * 90 + "com/",
        "http://x\ud800y/",
        "http://a..b/",
        "http://example.com:99999/",
        "http://example.com:x/",
    ],
)
def test_malformed_addresses_are_refused_with_their_own_clear_message(url):
    """A host that cannot be a host is said so (judged from the text alone, so it reveals nothing internal)."""
    rules = FetchPolicy(allow_private=False, max_bytes=1000, timeout=1, ports=frozenset({80, 443}), max_redirects=1)
    with pytest.raises(FetchError) as caught:
        fetch(url, rules)
    assert str(caught.value) == MALFORMED_MESSAGE and caught.value.reason.startswith("malformed url")


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433:{port}/",
        "http://0x7f.0.0.1:{port}/",
        "http://017700000001:{port}/",
        "http://127.1:{port}/",
        "http://localhost.:{port}/",
        "http://127.0.0.1:{port}#@evil.example/",
        "http://127.0.0.1.nip.io:{port}/",
    ],
)
def test_ssrf2_encoded_addresses_are_judged_by_what_they_resolve_to(server, url):
    error = refusal(url.format(port=server.port), policy(server, allow_private=False))
    assert error.reason.startswith(("address not allowed", "dns"))
    assert server.connections == 0


def test_ssrf2_credentials_in_the_address_are_refused(server):
    error = refusal(f"http://evil.example@127.0.0.1:{server.port}/article", policy(server))
    assert error.reason == "credentials in url" and server.connections == 0


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/",
        "gopher://example.com/",
        "dict://example.com/",
        "ldap://example.com/",
        "jar:http://example.com/x.jar!/",
        "data:text/html,<script>alert(1)</script>",
        "http://example.com:22/",
        "http://example.com:6379/",
        "http://example.com:5432/",
        "https://example.com:8443/",
        "javascript:alert(1)",
        "//example.com/",
        "http:///nohost",
    ],
)
def test_ssrf5_only_http_and_https_on_allowed_ports(url):
    rules = FetchPolicy(allow_private=False, max_bytes=1000, timeout=1, ports=frozenset({80, 443}), max_redirects=1)
    error = refusal(url, rules)
    assert error.reason.startswith(("scheme", "port", "malformed"))


def test_ssrf3_a_redirect_to_an_internal_address_is_refused_on_that_hop(server, only_first_loopback_is_public):
    with LocalWebServer("127.0.0.2") as internal:
        rules = policy(server, allow_private=False, ports=frozenset({server.port, internal.port}))
        assert fetch(server.url("/article"), rules).body  # the "public" server itself is fine
        error = refusal(server.url(f"/redirect?to={internal.url('/article')}"), rules)
        assert error.reason.startswith("address not allowed")
        assert internal.connections == 0


@pytest.mark.parametrize("target", ["file:///etc/passwd", "http://[::1]:{port}/", "gopher://127.0.0.1/"])
def test_ssrf3_redirects_to_other_schemes_or_loopback_names_are_refused(server, only_first_loopback_is_public, target):
    rules = policy(server, allow_private=False)
    error = refusal(server.url(f"/redirect?to={target.format(port=server.port)}"), rules)
    assert error.reason.startswith(("scheme", "address not allowed"))


def test_ssrf4_a_name_with_one_private_record_is_refused(server, monkeypatch, only_first_loopback_is_public):
    records = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", server.port)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", server.port)),
    ]
    monkeypatch.setattr(fetching, "_resolve", lambda host, port, timeout: records)
    error = refusal(f"http://news.example:{server.port}/article", policy(server, allow_private=False))
    assert error.reason.startswith("address not allowed") and server.connections == 0


def test_ssrf4_rebinding_between_hops_is_caught_on_the_second_hop(server, monkeypatch, only_first_loopback_is_public):
    with LocalWebServer("127.0.0.2") as internal:
        answers = iter([("127.0.0.1", server.port), ("127.0.0.2", internal.port)])
        monkeypatch.setattr(
            fetching,
            "_resolve",
            lambda host, port, timeout: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", next(answers))],
        )
        rules = policy(server, allow_private=False, ports=frozenset({server.port, internal.port}))
        error = refusal(f"http://news.example:{server.port}/redirect?to=/article", rules)
        assert error.reason.startswith("address not allowed") and internal.connections == 0


def test_ssrf4_the_connected_peer_is_checked_again(server, monkeypatch):
    verdicts = iter([True, False])  # the resolved address passes, the connected peer does not
    monkeypatch.setattr(fetching, "address_allowed", lambda address, allow_private: next(verdicts))
    error = refusal(server.url("/article"), policy(server))
    assert error.reason.startswith("connected peer not allowed")


def test_ssrf6_a_declared_length_over_the_cap_is_refused(server):
    error = refusal(server.url("/big?size=200000"), policy(server, max_bytes=100_000))
    assert "over the cap" in error.reason


def test_ssrf6_an_endless_stream_stops_at_the_cap(server):
    started = time.monotonic()
    error = refusal(server.url("/endless"), policy(server, max_bytes=1_000_000))
    assert error.reason == "body over the cap" and time.monotonic() - started < 2


def test_ssrf6_a_compression_bomb_stops_at_the_decoded_cap(server):
    error = refusal(server.url("/gzip-bomb"), policy(server, max_bytes=1_000_000, timeout=5))
    assert error.reason == "decoded body over the cap"


def test_ssrf6_a_slow_server_is_cut_off_at_the_total_timeout(server):
    started = time.monotonic()
    error = refusal(server.url("/slow"), policy(server, timeout=1.0))
    assert error.reason.startswith("timeout") and time.monotonic() - started < 1.8


@pytest.mark.parametrize("path", ["/pdf", "/status?code=500", "/status?code=404", "/status?code=401"])
def test_ssrf6_other_content_types_and_error_statuses_are_refused(server, path):
    error = refusal(server.url(path), policy(server))
    assert error.reason.startswith(("content type", "status"))


def test_ssrf7_every_failure_reads_the_same_and_echoes_nothing(server):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    rules = policy(server, ports=frozenset({server.port, closed_port}))
    errors = [
        refusal(url, rules)
        for url in (
            f"http://127.0.0.1:{closed_port}/",
            server.url("/status?code=500"),
            server.url("/pdf"),
            "http://no-such-host.invalid/",
            "gopher://x/",
        )
    ]
    assert {str(error) for error in errors} == {GENERIC_MESSAGE}
    assert all("secret" not in str(error) for error in errors)


def test_plain_text_pages_are_accepted(server):
    assert fetch(server.url("/text"), policy(server)).content_type == "text/plain"


def test_network_errors_are_transient_and_refusals_are_not(server):
    """A URL-import job retries transient failures with backoff and reports the others at once; the user reads
    the same generic message either way (SSRF-7)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    rules = policy(server, ports=frozenset({server.port, closed}))
    assert refusal(f"http://127.0.0.1:{closed}/", rules).transient  # connection refused
    assert refusal(server.url("/status?code=503"), rules).transient
    assert refusal(server.url("/status?code=429"), rules).transient
    assert refusal(server.url("/slow"), policy(server, timeout=0.5)).transient
    assert not refusal(server.url("/status?code=404"), rules).transient
    assert not refusal(server.url("/pdf"), rules).transient
    assert not refusal(server.url("/big?size=200000"), rules).transient  # over the size cap
    assert not refusal(server.url("/article"), policy(server, allow_private=False)).transient  # the SSRF guard


def test_addresses_are_checked_as_written_without_any_connection(server):
    rules = policy(server)
    fetching.check_address(server.url("/article"), rules)
    for address, message in (
        ("http://exa mple.com/", MALFORMED_MESSAGE),
        ("gopher://x/", GENERIC_MESSAGE),
        ("http://user:pw@127.0.0.1/", GENERIC_MESSAGE),
        ("http://127.0.0.1:22/", GENERIC_MESSAGE),
    ):
        with pytest.raises(FetchError) as caught:
            fetching.check_address(address, rules)
        assert str(caught.value) == message
    assert server.connections == 0
