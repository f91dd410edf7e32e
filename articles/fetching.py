"""The one guarded way the server fetches a web page (URL import): SSRF-1..7 in docs/security.md.

Only http and https on allowed ports (80 and 443 unless settings say otherwise), no credentials in
the address. Every hop, redirects included, resolves the host once, refuses it when any of its
addresses is private, loopback, link-local, reserved or otherwise not global (unless
URL_IMPORT_ALLOW_PRIVATE), connects to exactly the address it checked and checks the connected peer
again, so DNS rebinding cannot slip in. The whole fetch has one deadline (a watchdog cuts slow
servers off), the decoded body has a size cap (compression bombs stop early), and only HTML or plain
text is accepted. Every failure is the same FetchError with one generic message, so the import
cannot be used to probe which internal hosts and ports exist (SSRF-7); the reason is only logged. The one
exception is an address that is malformed in itself (a space or control character, an overlong host):
saying so is judged from the text alone and reveals nothing about the network.

A FetchError also says whether trying again later may succeed (`transient`: a refused, reset or timed
out connection, a temporary DNS failure, a 429 or 5xx answer), so that a URL-import job retries those
addresses with backoff and reports the others at once; the user still reads the one generic message.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import socket
import ssl
import threading
import time
import unicodedata
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from django.conf import settings

from articles.errors import InvalidInput
from articles.text_rules import control_character_in

logger = logging.getLogger(__name__)

GENERIC_MESSAGE = "Could not fetch that page. Check the address, or save the page and upload its HTML file instead."
MALFORMED_MESSAGE = (
    "That web address is malformed. Check its host name (no spaces or control characters, at most "
    "253 characters, brackets closed) and its port."
)
ACCEPTED_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
USER_AGENT = "NewsAnnotator/1.0 (article import)"
MAX_HOST_LENGTH = 253  # a DNS name, without its final dot
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# IPv6 ranges that reach no public host but that `ipaddress` (in some Python versions) calls global.
NEVER_PUBLIC_V6 = tuple(
    ipaddress.ip_network(network)
    for network in (
        "::/96",  # IPv4-compatible, deprecated (RFC 4291): ::127.0.0.1
        "::ffff:0:0:0/96",  # IPv4-translated (RFC 2765): ::ffff:0:7f00:1
        "64:ff9b:1::/48",  # local-use NAT64 (RFC 8215): translates into the operator's own networks
        "fec0::/10",  # site-local, deprecated (RFC 3879)
        "3fff::/20",  # documentation (RFC 9637)
        "5f00::/16",  # SRv6 segment identifiers (RFC 9602)
    )
)
_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="url-import-dns")


RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class FetchError(Exception):
    """Any failure to fetch; `str()` is what the user reads, `reason` is for logs and tests only, and
    `transient` whether the same fetch may succeed later (a network error, not a refusal)."""

    def __init__(self, reason: str, message: str = GENERIC_MESSAGE, *, transient: bool = False):
        super().__init__(message)
        self.reason = reason
        self.transient = transient


def _malformed(reason: str) -> FetchError:
    return FetchError(f"malformed url: {reason}", MALFORMED_MESSAGE)


@dataclass(frozen=True)
class FetchPolicy:
    allow_private: bool
    max_bytes: int
    timeout: float
    ports: frozenset[int]
    max_redirects: int

    @classmethod
    def from_settings(cls) -> FetchPolicy:
        return cls(
            allow_private=settings.URL_IMPORT_ALLOW_PRIVATE,
            max_bytes=settings.URL_IMPORT_MAX_BYTES,
            timeout=settings.URL_IMPORT_TIMEOUT,
            ports=frozenset(settings.URL_IMPORT_ALLOWED_PORTS),
            max_redirects=settings.URL_IMPORT_MAX_REDIRECTS,
        )


@dataclass(frozen=True)
class Page:
    url: str
    content_type: str
    charset: str | None
    body: bytes


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str


def is_public_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Return whether an address is globally routable (not private, loopback, link-local, CGNAT, site-local...)."""
    if ip.version == 6 and any(ip in network for network in NEVER_PUBLIC_V6):
        return False
    return ip.is_global and not ip.is_multicast


def _carried_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """Return the IPv4 address an IPv4-mapped, NAT64 (64:ff9b::/96) or 6to4 address leads to."""
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.ipv4_mapped or ip.sixtofour


def address_allowed(address: str, allow_private: bool) -> bool:
    """Decide on a resolved or connected address; an IPv6 address that carries an IPv4 address is judged by
    the IPv4 address it leads to, and Teredo (which leads behind someone's NAT) is never allowed."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if ip.version == 6:
        if ip.teredo:
            return False
        ip = _carried_ipv4(ip) or ip
    if ip.is_unspecified or ip.is_multicast:
        return False  # 0.0.0.0 reaches the local host on Linux; never allowed
    return allow_private or is_public_address(ip)


def _check_host(host: str) -> str:
    """Return the host as sent on the wire (punycode for names); refuse what cannot be a host at all."""
    if any(char.isspace() for char in host):  # control characters were refused with the whole address
        raise _malformed("space in the host")
    if ":" in host:  # an IPv6 literal, already checked by urlsplit
        return host
    try:
        encoded = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise _malformed("host name cannot be encoded") from None
    if len(encoded.removesuffix(".")) > MAX_HOST_LENGTH:
        raise _malformed("host name too long")
    return encoded


def check_url(url: str, policy: FetchPolicy) -> _Target:
    """Refuse anything but http(s) to a host name or address on an allowed port, without credentials."""
    url = url.strip()
    if any(unicodedata.category(char) == "Cc" for char in url):
        raise _malformed("control character")  # urlsplit would silently drop tabs and newlines
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise _malformed(str(error)) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"scheme {scheme!r} or missing host")
    if parts.username is not None or parts.password is not None:
        raise FetchError("credentials in url")
    host = _check_host(parts.hostname)
    port = port or (443 if scheme == "https" else 80)
    if port not in policy.ports:
        raise FetchError(f"port {port} not allowed")
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~") + (
        "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?") if parts.query else ""
    )
    return _Target(scheme, host, port, path)


def _resolve(host: str, port: int, timeout: float) -> list[tuple]:
    future = _resolver.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
    try:
        return future.result(timeout=max(timeout, 0.001))
    except FutureTimeout:
        raise FetchError("dns timeout", transient=True) from None
    except OSError as error:
        temporary = isinstance(error, socket.gaierror) and error.errno == socket.EAI_AGAIN
        raise FetchError(f"dns: {error}", transient=temporary) from None


def resolve_allowed(host: str, port: int, *, allow_private: bool, timeout: float) -> list[tuple]:
    """Resolve `host` once and return its getaddrinfo records, refusing it when any address is not allowed."""
    infos = _resolve(host, port, timeout)
    refused = [info[4][0] for info in infos if not address_allowed(info[4][0], allow_private)]
    if refused or not infos:
        raise FetchError(f"address not allowed: {refused[:3]}")
    return infos


def _open_socket(host: str, port: int, deadline: float, allow_private: bool) -> socket.socket:
    """Connect to an address of `host` that was checked, then check the peer actually connected."""
    infos = resolve_allowed(host, port, allow_private=allow_private, timeout=deadline - time.monotonic())
    for family, kind, proto, _, address in infos:
        sock = socket.socket(family, kind, proto)
        sock.settimeout(max(deadline - time.monotonic(), 0.001))
        try:
            sock.connect(address)
        except OSError:
            sock.close()
            continue
        peer = sock.getpeername()[0]
        if not address_allowed(peer, allow_private):
            sock.close()
            raise FetchError(f"connected peer not allowed: {peer}")
        return sock
    raise FetchError("could not connect", transient=True)


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, deadline: float, allow_private: bool):
        super().__init__(host, port, timeout=max(deadline - time.monotonic(), 0.001))
        self.deadline, self.allow_private = deadline, allow_private

    def connect(self) -> None:
        self.sock = _open_socket(self.host, self.port, self.deadline, self.allow_private)


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, deadline: float, allow_private: bool):
        super().__init__(
            host, port, timeout=max(deadline - time.monotonic(), 0.001), context=ssl.create_default_context()
        )
        self.deadline, self.allow_private = deadline, allow_private

    def connect(self) -> None:
        sock = _open_socket(self.host, self.port, self.deadline, self.allow_private)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _Watchdog:
    """Shut the connection's socket at the deadline, so no drip-feeding server outlasts the timeout."""

    def __init__(self, connection: http.client.HTTPConnection, deadline: float):
        self.connection = connection
        self.timer = threading.Timer(max(deadline - time.monotonic(), 0), self._cut)
        self.timer.daemon = True

    def _cut(self) -> None:
        sock = self.connection.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self) -> _Watchdog:
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()


def _decoder(response: http.client.HTTPResponse):
    encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    if encoding in ("identity", ""):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise FetchError(f"content encoding {encoding!r}")


def _read_body(
    response: http.client.HTTPResponse, sock_owner: http.client.HTTPConnection, policy: FetchPolicy, deadline: float
) -> bytes:
    """Read at most policy.max_bytes of decoded body before the deadline."""
    length = response.getheader("Content-Length")
    decoder = _decoder(response)
    if decoder is None and length and length.isdigit() and int(length) > policy.max_bytes:
        raise FetchError(f"content-length {length} over the cap")
    chunks, total = [], 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("timeout while reading", transient=True)
        if sock_owner.sock is not None:
            sock_owner.sock.settimeout(remaining)
        data = response.read1(64 * 1024)
        if decoder is not None:
            data = decoder.decompress(data, policy.max_bytes + 1 - total) if data else decoder.flush()
            if decoder.unconsumed_tail:
                raise FetchError("decoded body over the cap")
        total += len(data)
        if total > policy.max_bytes:
            raise FetchError("body over the cap")
        if not data:
            if time.monotonic() >= deadline:  # the watchdog cut the connection: not a complete body
                raise FetchError("timeout while reading", transient=True)
            return b"".join(chunks)
        chunks.append(data)


def _content_type(response: http.client.HTTPResponse) -> tuple[str, str | None]:
    media_type, _, params = (response.getheader("Content-Type") or "").partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"') or None
    return media_type.strip().lower(), charset


@contextmanager
def guarded_connection(
    url: str, policy: FetchPolicy, deadline: float
) -> Iterator[tuple[http.client.HTTPConnection, str]]:
    """An HTTP(S) connection for `url` that reaches only an allowed address (checked again as it connects,
    so a DNS answer cannot change in between) and is cut off at `deadline`; yields it and the path to ask
    for. URL imports GET through it, webhook deliveries POST through it (FetchError when refused)."""
    target = check_url(url, policy)
    kind = _GuardedHTTPSConnection if target.scheme == "https" else _GuardedHTTPConnection
    connection = kind(target.host, target.port, deadline=deadline, allow_private=policy.allow_private)
    try:
        with _Watchdog(connection, deadline):
            yield connection, target.path
    finally:
        connection.close()


def _get(url: str, policy: FetchPolicy, deadline: float) -> tuple[Page | None, str | None]:
    """Do one hop: return (page, None), or (None, next url) for a redirect."""
    try:
        with guarded_connection(url, policy, deadline) as (connection, path):
            connection.putrequest("GET", path, skip_accept_encoding=True)
            for name, value in (
                ("User-Agent", USER_AGENT),
                ("Accept-Encoding", "gzip"),
                ("Accept", "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.5"),
            ):
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            if response.status in REDIRECT_STATUSES:
                location = response.getheader("Location")
                if not location:
                    raise FetchError("redirect without location")
                return None, urljoin(url, location.strip())
            if response.status != 200:
                raise FetchError(f"status {response.status}", transient=response.status in RETRY_STATUSES)
            media_type, charset = _content_type(response)
            if media_type not in ACCEPTED_TYPES:
                raise FetchError(f"content type {media_type!r}")
            body = _read_body(response, connection, policy, deadline)
            return Page(url, media_type, charset, body), None
    except FetchError:
        raise
    except (OSError, http.client.HTTPException, ValueError, zlib.error) as error:
        late = "timeout: " if time.monotonic() >= deadline else ""
        network = isinstance(error, (OSError, http.client.HTTPException))  # reset, cut off, timed out
        raise FetchError(f"{late}{type(error).__name__}: {error}", transient=network) from None


def check_address(url: str, policy: FetchPolicy | None = None) -> None:
    """Refuse, before anything is queued, an address that can never be fetched as written: malformed, not
    http(s), with credentials, or on a port not allowed. Judged from the text alone (no DNS, no connection);
    raises the same FetchError a fetch would."""
    check_url(url, policy or FetchPolicy.from_settings())


def fetch(url: str, policy: FetchPolicy | None = None) -> Page:
    """Fetch an HTML or text page under the guard; raise FetchError (one generic message) on any failure."""
    policy = policy or FetchPolicy.from_settings()
    deadline = time.monotonic() + policy.timeout
    try:
        for _hop in range(policy.max_redirects + 1):
            page, url = _get(url, policy, deadline)
            if page is not None:
                return page
            if time.monotonic() >= deadline:
                raise FetchError("timeout during redirects", transient=True)
        raise FetchError("too many redirects")
    except FetchError as error:
        logger.info("URL import refused or failed: %s", error.reason)
        raise


def post_json(url: str, body: bytes, policy: FetchPolicy) -> tuple[int, bytes]:
    """POST JSON under the guard and return the answer's status and body (at most policy.max_bytes, read before
    the deadline): how the tool asks an outside suggester. FetchError when refused, cut off or too big."""
    deadline = time.monotonic() + policy.timeout
    with guarded_connection(url, policy, deadline) as (connection, path):
        connection.request(
            "POST", path, body=body, headers={"Content-Type": "application/json", "Accept": "application/json"}
        )
        response = connection.getresponse()
        return response.status, _read_body(response, connection, policy, deadline)


MAX_URL_LENGTH = 2000


def check_outgoing_url(url: object, policy: FetchPolicy, *, missing: str, private: str) -> str:
    """The address as stored, or InvalidInput("url"): http(s) to a host on a port the guard allows, no
    credentials, and no address literal the guard would refuse (webhooks, HTTP suggesters). A host name is
    checked each time a request resolves it (a name can change what it points at). `missing` and `private`
    are the messages for no address and for a private one."""
    if not isinstance(url, str) or not url.strip():
        raise InvalidInput.single("url", missing)
    url = url.strip()
    if len(url) > MAX_URL_LENGTH or control_character_in(url):
        raise InvalidInput.single("url", f"Give a web address of at most {MAX_URL_LENGTH} characters.")
    try:
        target = check_url(url, policy)
    except FetchError as error:
        if error.reason.startswith("malformed"):
            raise InvalidInput.single("url", str(error)) from None
        ports = ", ".join(str(port) for port in sorted(policy.ports))
        raise InvalidInput.single(
            "url", f"Use an http:// or https:// address without a user name or password, on port {ports}."
        ) from None
    host = target.host.strip("[]")
    if _is_address(host) and not address_allowed(host, policy.allow_private):
        raise InvalidInput.single("url", private)
    return url


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True
