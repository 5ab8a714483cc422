"""Guarded URL fetching: public addresses only, pinned IPs, capped size and time.

Every hop (the first request and each redirect, followed by hand) is resolved once with
``socket.getaddrinfo``; every resolved address must be globally routable unless the host is in
``url_allow_hosts``. The request then goes to the checked IP itself (Host header and TLS SNI
carry the name), so a second DNS answer cannot redirect it (DNS rebinding). Bodies are read
raw and decompressed here with a bounded output per step, so a gzip bomb stops at the cap.
"""

from __future__ import annotations

import mimetypes
import socket
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from urllib.parse import urljoin, urlsplit

import httpx

from ingest.errors import IngestError
from ingest.settings import IngestSettings

CONTENT_KINDS: dict[str, str] = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "txt",
    "text/markdown": "md",
    "text/x-markdown": "md",
    "application/pdf": "pdf",
}
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CGNAT = ip_network("100.64.0.0/10")
_NAT64 = ip_network("64:ff9b::/96")
_METADATA = ip_address("169.254.169.254")
_HEADERS = {
    "User-Agent": "Telaah/0.1 (offline research assistant)",
    "Accept": "text/html,application/xhtml+xml,text/plain,text/markdown,application/pdf;q=0.9",
    "Accept-Encoding": "gzip, deflate",
}

IPAddress = IPv4Address | IPv6Address


@dataclass(frozen=True)
class _Target:
    """One hop, checked: where to connect and what name to present."""

    scheme: str
    host: str
    port: int
    ip: IPAddress
    path: str

    def ip_url(self) -> str:
        ip = f"[{self.ip}]" if self.ip.version == 6 else str(self.ip)
        return f"{self.scheme}://{ip}:{self.port}{self.path}"

    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def fetch_url(url: str, settings: IngestSettings) -> tuple[bytes, str, str]:
    """Fetch an http(s) URL safely.

    Args:
        url: The URL to fetch.
        settings: Caps and allow-list (``max_bytes``, ``url_timeout_s``, ``url_max_redirects``,
            ``url_allow_hosts``).

    Returns:
        ``(body, content_type, final_url)``; ``content_type`` is the media type, with
        ``; charset=...`` appended when the server declared one.

    Raises:
        IngestError: refused address or scheme, too many redirects, HTTP error, unsupported
            content type, body over ``max_bytes`` after decompression, or time over the cap.
    """
    deadline = time.monotonic() + settings.url_timeout_s
    current = url
    try:
        with httpx.Client(trust_env=False, follow_redirects=False) as client:
            for hop in range(settings.url_max_redirects + 1):
                target = _check_hop(current, settings.url_allow_hosts, redirected=hop > 0)
                with _open(client, target, deadline) as response:
                    if response.status_code in _REDIRECTS:
                        current = _next_location(response, current)
                        continue
                    if not 200 <= response.status_code < 300:
                        raise IngestError(f"HTTP {response.status_code} fetching {current}")
                    content_type = _check_content_type(response, current)
                    body = _read_capped(response, current, deadline, settings)
                    return body, content_type, current
    except httpx.TimeoutException:
        raise IngestError(_timeout_message(url, settings)) from None
    except httpx.HTTPError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise IngestError(f"fetch failed: {current}: {reason}") from None
    raise IngestError(f"too many redirects (> {settings.url_max_redirects}): {url}")


def parse_content_type(value: str) -> tuple[str, str | None]:
    """Split a Content-Type value into (lower-case media type, charset or None)."""
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'").lower()
    return media.strip().lower(), charset


def _check_hop(url: str, allow_hosts: list[str], redirected: bool) -> _Target:
    """Parse, resolve and vet one hop; raise before any connection to a refused address."""
    prefix = f"refused redirect to {url}: " if redirected else "refused: "
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise IngestError(f"{prefix}only http and https URLs can be fetched ({scheme or 'none'}:)")
    host = parts.hostname
    if not host:
        raise IngestError(f"invalid URL (no host): {url}")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
        host = host.encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        raise IngestError(f"invalid URL: {url}") from None
    ips = _resolve(host, port)
    allowed = {h.strip("[]").lower() for h in allow_hosts}
    if host not in allowed:
        for ip in ips:
            if not is_public_address(ip):
                where = f"{host} is" if _same_ip(host, ip) else f"{host} resolves to {ip},"
                raise IngestError(
                    f"{prefix}{where} an address on your own network or computer; Telaah only "
                    "fetches public web pages"
                )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(scheme=scheme, host=host, port=port, ip=ips[0], path=path)


def _same_ip(host: str, ip: IPAddress) -> bool:
    try:
        return ip_address(host) == ip
    except ValueError:
        return False


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise IngestError(f"cannot resolve host: {host}") from None
    ips: list[IPAddress] = []
    for info in infos:
        ip = ip_address(str(info[4][0]).split("%", 1)[0])
        if ip not in ips:
            ips.append(ip)
    if not ips:
        raise IngestError(f"cannot resolve host: {host}")
    return ips


def is_public_address(ip: IPAddress) -> bool:
    """True only for globally routable unicast addresses (and v6 forms that embed one)."""
    if isinstance(ip, IPv6Address):
        embedded = [ip.ipv4_mapped, ip.sixtofour, ip.teredo[1] if ip.teredo else None]
        if ip in _NAT64:
            embedded.append(IPv4Address(int(ip) & 0xFFFFFFFF))
        if any(v4 is not None and not is_public_address(v4) for v4 in embedded):
            return False
    special = (
        ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_private
        or ip == _METADATA
        or (isinstance(ip, IPv4Address) and ip in _CGNAT)
    )
    return ip.is_global and not special


@contextmanager
def _open(client: httpx.Client, target: _Target, deadline: float) -> Iterator[httpx.Response]:
    """Send one GET to the pinned IP, streaming; the response is closed on exit."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise httpx.ReadTimeout("deadline passed")
    extensions = {}
    if target.scheme == "https" and target.host != str(target.ip):
        extensions["sni_hostname"] = target.host
    request = client.build_request(
        "GET",
        target.ip_url(),
        headers={**_HEADERS, "Host": target.host_header()},
        timeout=httpx.Timeout(remaining),
        extensions=extensions,
    )
    response = client.send(request, stream=True)
    try:
        yield response
    finally:
        response.close()


def _next_location(response: httpx.Response, current: str) -> str:
    location = response.headers.get("location", "").strip()
    if not location:
        raise IngestError(f"HTTP {response.status_code} redirect without a Location: {current}")
    return urljoin(current, location)


def _check_content_type(response: httpx.Response, url: str) -> str:
    media, charset = parse_content_type(response.headers.get("content-type", ""))
    if media in ("", "application/octet-stream"):
        media = (mimetypes.guess_type(urlsplit(url).path)[0] or media).lower()
    if media not in CONTENT_KINDS:
        raise IngestError(
            f"unsupported content type: {media or 'none'} "
            "(supported: html, plain text, markdown, pdf)"
        )
    return f"{media}; charset={charset}" if charset else media


def _read_capped(
    response: httpx.Response, url: str, deadline: float, settings: IngestSettings
) -> bytes:
    """Read and decompress the body, stopping as soon as decoded bytes pass ``max_bytes``."""
    cap = settings.max_bytes
    declared = response.headers.get("content-length", "")
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if declared.isdigit() and int(declared) > cap and encoding in ("", "identity"):
        raise IngestError(f"too large: {format_size(int(declared))} > {format_size(cap)} cap")
    decoder = _Decoder(encoding)
    body = bytearray()
    for raw in response.iter_raw():
        body += decoder.feed(raw, cap + 1 - len(body))
        if len(body) > cap:
            raise IngestError(
                f"too large: response exceeds the {format_size(cap)} cap (after decompression)"
            )
        if time.monotonic() > deadline:
            raise IngestError(_timeout_message(url, settings))
    return bytes(body)


class _Decoder:
    """Incremental Content-Encoding decoder whose output per call never exceeds a limit."""

    def __init__(self, encoding: str) -> None:
        self._raw_deflate_tried = False
        self._deflate = encoding == "deflate"
        if encoding in ("", "identity"):
            self._zlib = None
        elif encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS)
        else:
            raise IngestError(f"unsupported content encoding: {encoding}")

    def feed(self, data: bytes, limit: int) -> bytes:
        """Decode ``data``, returning at most ``limit`` (>= 1) bytes."""
        if self._zlib is None:
            return data
        try:
            return self._zlib.decompress(data, limit)
        except zlib.error:
            if self._deflate and not self._raw_deflate_tried:
                self._raw_deflate_tried = True  # some servers send raw deflate without a header
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.feed(data, limit)
            raise IngestError("corrupt compressed response") from None


def format_size(n: int) -> str:
    """Human size: '25.1 MB', '20 MB', '512 KB', '100 bytes'."""
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= size:
            return f"{n / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


def _timeout_message(url: str, settings: IngestSettings) -> str:
    return f"timed out after {settings.url_timeout_s:g} s: {url}"
