"""Guarded fetching: refusals send no packet; redirects, bombs, types and time are capped."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address
from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.fetch import fetch_url, is_public_address
from ingest.loaders import load_source
from ingest.settings import IngestSettings

DATA = Path(__file__).parent / "data"
PAGE = (DATA / "boilerplate.html").read_bytes()
BOMB = gzip.compress(b"\0" * (50 * 1024 * 1024), compresslevel=9)


class Handler(BaseHTTPRequestHandler):
    """Routes for the local test server; records the Host header of each request."""

    hosts: list[str] = []

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 -- stdlib name
        pass

    def do_GET(self) -> None:  # noqa: N802 -- stdlib hook name
        Handler.hosts.append(self.headers.get("Host", ""))
        port = self.server.server_address[1]
        routes = {
            "/page.html": (200, {"Content-Type": "text/html; charset=utf-8"}, PAGE),
            "/page.gz": (
                200,
                {"Content-Type": "text/html", "Content-Encoding": "gzip"},
                gzip.compress(PAGE),
            ),
            "/notes": (
                200,
                {"Content-Type": "text/plain; charset=iso-8859-1"},
                "Grüße, Welt.".encode("latin-1"),
            ),
            "/bomb": (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, BOMB),
            "/binary": (200, {"Content-Type": "application/octet-stream"}, b"\x00\x01"),
            "/image": (200, {"Content-Type": "image/png"}, b"\x89PNG"),
            "/to-localhost": (302, {"Location": f"http://localhost:{port}/page.html"}, b""),
            "/to-page": (301, {"Location": "/page.html"}, b""),
            "/loop": (302, {"Location": "/loop"}, b""),
            "/missing": (404, {"Content-Type": "text/plain"}, b"nope"),
        }
        if self.path == "/slow":
            time.sleep(1.5)
        status, headers, body = routes.get(self.path, (200, {"Content-Type": "text/html"}, PAGE))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def allowed() -> IngestSettings:
    return IngestSettings(url_allow_hosts=["127.0.0.1"], url_timeout_s=5)


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record (and block) every outgoing connection attempt."""
    calls: list[object] = []

    def spy(*args: object, **kwargs: object) -> None:
        calls.append(args)
        raise OSError("network disabled by test")

    monkeypatch.setattr(socket, "create_connection", spy)
    monkeypatch.setattr(socket.socket, "connect", spy)
    monkeypatch.setattr(socket.socket, "connect_ex", spy)
    return calls


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "127.0.0.1 is an address on your own network"),
        ("http://localhost/", "localhost resolves to"),
        ("http://[::1]/", "::1 is an address on your own network"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1 is an address on your own network"),
        ("http://0.0.0.0/", "0.0.0.0 is an address on your own network"),
        ("http://2130706433/", "2130706433 resolves to 127.0.0.1, an address on your own network"),
        ("http://0x7f.1/", "resolves to 127.0.0.1"),
        ("http://10.0.0.1/", "10.0.0.1 is an address on your own network"),
        ("http://172.16.0.1/", "172.16.0.1 is an address on your own network"),
        ("http://192.168.1.1/", "192.168.1.1 is an address on your own network"),
        ("http://100.64.0.1/", "100.64.0.1 is an address on your own network"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is an address on your"),
        ("https://[fe80::1]/", "fe80::1 is an address on your own network"),
        ("http://224.0.0.1/", "224.0.0.1 is an address on your own network"),
        ("file:///etc/passwd", "only http and https"),
        ("gopher://x/", "only http and https"),
        ("ftp://example.com/a.txt", "only http and https"),
    ],
)
def test_refusals_send_no_packet(url: str, reason: str, connections: list[object]) -> None:
    with pytest.raises(IngestError, match="^refused: ") as caught:
        fetch_url(url, IngestSettings())
    assert reason in str(caught.value)
    assert "\n" not in str(caught.value)
    assert connections == []


def fake_resolver(monkeypatch: pytest.MonkeyPatch, table: dict[str, list[str]]) -> list[str]:
    """Resolve names in ``table`` to fixed IPs; other names go to the real resolver."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> list[tuple]:
        if host not in table:
            return real(host, port, *args, **kwargs)  # type: ignore[arg-type]
        asked.append(host)
        return [
            (
                socket.AF_INET6 if ":" in ip else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (ip, port),
            )
            for ip in table[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_name_resolving_to_loopback_is_refused(
    monkeypatch: pytest.MonkeyPatch, connections: list[object]
) -> None:
    fake_resolver(monkeypatch, {"evil.example": ["127.0.0.1"]})
    with pytest.raises(IngestError, match="^refused: evil.example resolves to 127.0.0.1"):
        fetch_url("https://evil.example/article", IngestSettings())
    assert connections == []


def test_every_resolved_address_is_checked(
    monkeypatch: pytest.MonkeyPatch, connections: list[object]
) -> None:
    fake_resolver(monkeypatch, {"mixed.example": ["93.184.215.14", "10.1.2.3"]})
    with pytest.raises(IngestError, match="mixed.example resolves to 10.1.2.3"):
        fetch_url("http://mixed.example/", IngestSettings())
    assert connections == []


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700:4700::1111", True),
        ("100.127.255.254", False),
        ("198.18.0.1", False),
        ("255.255.255.255", False),
        ("::", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("64:ff9b::7f00:1", False),
        ("2002:7f00:1::", False),
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", False),
    ],
)
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(ip_address(address)) is public


def test_allowed_local_server_is_fetched(server: str, allowed: IngestSettings) -> None:
    body, content_type, final_url = fetch_url(f"{server}/page.html", allowed)
    assert body == PAGE
    assert content_type == "text/html; charset=utf-8"
    assert final_url == f"{server}/page.html"


def test_connects_to_the_checked_ip_with_the_host_header(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = fake_resolver(monkeypatch, {"pinned.example": ["127.0.0.1"]})
    port = server.rsplit(":", 1)[1]
    settings = IngestSettings(url_allow_hosts=["pinned.example"])
    Handler.hosts.clear()
    body, _, _ = fetch_url(f"http://pinned.example:{port}/page.html", settings)
    assert body == PAGE
    assert asked == ["pinned.example"]  # resolved once, never again (no DNS rebinding)
    assert Handler.hosts == [f"pinned.example:{port}"]


def test_relative_redirect_is_followed(server: str, allowed: IngestSettings) -> None:
    _, _, final_url = fetch_url(f"{server}/to-page", allowed)
    assert final_url == f"{server}/page.html"


def test_redirect_to_localhost_is_refused(server: str, allowed: IngestSettings) -> None:
    Handler.hosts.clear()
    with pytest.raises(IngestError, match=r"^refused redirect to http://localhost:\d+/page.html"):
        fetch_url(f"{server}/to-localhost", allowed)
    assert len(Handler.hosts) == 1  # the redirect target was never requested


def test_redirect_loop_is_capped(server: str) -> None:
    settings = IngestSettings(url_allow_hosts=["127.0.0.1"], url_max_redirects=3)
    Handler.hosts.clear()
    with pytest.raises(IngestError, match=r"^too many redirects \(> 3\)"):
        fetch_url(f"{server}/loop", settings)
    assert len(Handler.hosts) == 4


def test_gzip_is_decoded(server: str, allowed: IngestSettings) -> None:
    body, _, _ = fetch_url(f"{server}/page.gz", allowed)
    assert body == PAGE


def test_gzip_bomb_stops_at_the_cap(server: str) -> None:
    settings = IngestSettings(url_allow_hosts=["127.0.0.1"], max_bytes=1024 * 1024)
    assert len(BOMB) < settings.max_bytes
    with pytest.raises(IngestError, match=r"exceeds the 1 MB cap \(after decompression\)"):
        fetch_url(f"{server}/bomb", settings)


def test_plain_body_over_cap_is_refused(server: str) -> None:
    settings = IngestSettings(url_allow_hosts=["127.0.0.1"], max_bytes=1000)
    with pytest.raises(IngestError, match=r"^too large: .* > 1000 bytes cap"):
        fetch_url(f"{server}/page.html", settings)


@pytest.mark.parametrize("path", ["/binary", "/image"])
def test_unsupported_content_type(server: str, allowed: IngestSettings, path: str) -> None:
    with pytest.raises(IngestError, match="^unsupported content type: "):
        fetch_url(f"{server}{path}", allowed)


def test_http_error_status(server: str, allowed: IngestSettings) -> None:
    with pytest.raises(IngestError, match="^HTTP 404 fetching "):
        fetch_url(f"{server}/missing", allowed)


def test_total_time_cap(server: str) -> None:
    settings = IngestSettings(url_allow_hosts=["127.0.0.1"], url_timeout_s=0.3)
    started = time.monotonic()
    with pytest.raises(IngestError, match=r"^timed out after 0.3 s"):
        fetch_url(f"{server}/slow", settings)
    assert time.monotonic() - started < 1.4


def test_load_source_from_url(server: str, allowed: IngestSettings) -> None:
    loaded = load_source(f"{server}/page.html", allowed)
    assert loaded.kind == "html"
    assert loaded.source == f"{server}/page.html"
    assert loaded.title == "Cloud Bills Reshape the AI Race"
    assert "COOKIE" not in loaded.text and "Frontier AI laboratories" in loaded.text


def test_load_source_plain_text_uses_declared_charset(server: str, allowed: IngestSettings) -> None:
    loaded = load_source(f"{server}/notes", allowed)
    assert (loaded.kind, loaded.text) == ("txt", "Grüße, Welt.")
