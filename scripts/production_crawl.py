"""Crawl a running production server as each demo role, over the headers an HTTPS proxy sends.

    python scripts/production_crawl.py http://127.0.0.1:8140

Signs in as every demo user (README) and asks for the sign-in page, the stylesheet it names, each role's
main pages and one export; exits 1 and lists every failure if any answer is not 200 (or is not what it
should be). Standard library only, so it runs wherever the app's Python runs (CI, the Docker image).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import re
import struct
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

PASSWORD = "tracker-demo-2026"
# The demo admin's and partner's authenticator key (datasets/demo/data.py DEMO_TOTP_KEY): in production they
# must enter a code before any page (TWO_FACTOR_REQUIRED), so the crawl computes one as their app would.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"

COMMON = [
    "/dashboard/",
    "/actions/",
    "/actions/mine/",
    "/authorities/",
]
COUNCIL_PAGES = [
    "/authorities/{slug}/",
    "/authorities/{slug}/dashboard/",
    "/authorities/{slug}/compare/",
    "/authorities/{slug}/board-report/",
]
# username -> (council, pages beyond the common ones, the export to download and its content type)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ROLES = {
    "admin": ("barnsley", ["/overview/", "/import/", "/actions/import/", "/admin/"], "/actions/?format=xlsx", XLSX),
    "lead": ("barnsley", ["/actions/import/"], "/actions/?format=csv", "text/csv"),
    "leader": ("barnsley", [], "/authorities/barnsley/board-report/?since=2023-01-01&format=docx", DOCX),
    "viewer": ("barnsley", [], "/authorities/barnsley/board-report/?since=2023-01-01&format=xlsx", XLSX),
    "barnet-lead": ("barnet", [], "/actions/?format=xlsx", XLSX),
    "partner": (None, [], "/actions/mine/?format=csv", "text/csv"),
}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """Cookies kept by hand: the server marks them Secure, and the proxy's HTTPS ends before us."""

    def __init__(self, base: str, *, proxied_https: bool = True):
        self.base = base.rstrip("/")
        self.proxied_https = proxied_https
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    @property
    def origin(self) -> str:
        return f"{'https' if self.proxied_https else 'http'}://{urllib.parse.urlsplit(self.base).netloc}"

    def request(
        self, path: str, data: dict | None = None, *, files: dict[str, tuple[str, bytes]] | None = None
    ) -> tuple[int, dict, bytes]:
        headers = {"X-Forwarded-For": "203.0.113.7", "User-Agent": "production-crawl"}
        if self.proxied_https:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if files:
            boundary = "----crawl-boundary-7d3f"
            parts = []
            for name, value in (data or {}).items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
            for name, (filename, content) in files.items():
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                    "Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n"
                )
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if body is not None:
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=30) as response:
                status, response_headers, content = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, response_headers, content = error.code, error.headers, error.read()
        for header in response_headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in header.lower():
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        return status, response_headers, content


def csrf_token(page: bytes) -> str:
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    return found.group(1).decode() if found else ""


def totp(key_hex: str, at: float | None = None) -> str:
    """The code an authenticator app shows now (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits)."""
    counter = struct.pack(">Q", int((time.time() if at is None else at) // 30))
    digest = hmac.new(bytes.fromhex(key_hex), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def sign_in(client: Client, username: str, password: str) -> int:
    """Signs in through the sign-in form, and its second step where the person must give a code; the
    status of the last form's answer (302 when signed in)."""
    _, _, page = client.request("/sign-in/")
    status, _, _ = client.request(
        "/sign-in/", {"csrfmiddlewaretoken": csrf_token(page), "username": username, "password": password}
    )
    if status != 302:
        return status
    # The second step answers its form only to someone with an app who has not given a code yet.
    second, _, page = client.request("/sign-in/two-factor/")
    if second == 200 and b'name="code"' in page:
        status, _, _ = client.request(
            "/sign-in/two-factor/", {"csrfmiddlewaretoken": csrf_token(page), "code": totp(DEMO_TOTP_KEY)}
        )
    return status


def crawl(base: str) -> list[str]:
    failures: list[str] = []

    def expect(ok: bool, message: str) -> bool:
        if not ok:
            failures.append(message)
        return ok

    anonymous = Client(base)
    status, headers, page = anonymous.request("/sign-in/")
    expect(status == 200, f"sign-in page answered {status}")
    stylesheet = re.search(rb'<link rel="stylesheet" href="([^"]+)"', page)
    if expect(stylesheet is not None, "sign-in page names no stylesheet"):
        href = stylesheet.group(1).decode()
        expect(re.search(r"\.[0-9a-f]{12}\.css$", href) is not None, f"stylesheet {href} is not a manifest name")
        status, headers, css = anonymous.request(href)
        expect(status == 200 and "text/css" in headers.get("Content-Type", ""), f"stylesheet {href} answered {status}")
        expect(len(css) > 10_000, f"stylesheet {href} is only {len(css)} bytes")
    status, headers, _ = anonymous.request("/dashboard/")
    expect(status == 302 and "/sign-in/" in headers.get("Location", ""), f"signed out, /dashboard/ answered {status}")
    status, _, _ = anonymous.request("/healthz")
    expect(status == 200, f"/healthz answered {status}")

    for username, (slug, extra, export, content_type) in ROLES.items():
        client = Client(base)
        status = sign_in(client, username, PASSWORD)
        if not expect(status == 302, f"{username}: signing in answered {status}"):
            continue
        pages = COMMON + extra + ([p.format(slug=slug) for p in COUNCIL_PAGES] if slug else [])
        for path in pages:
            status, headers, _ = client.request(path)
            if status == 302 and path == "/dashboard/":  # one council: straight to its dashboard
                status, headers, _ = client.request(urllib.parse.urlsplit(headers["Location"]).path)
            expect(status == 200, f"{username}: {path} answered {status}")
            expect(
                "no-store" in headers.get("Cache-Control", ""),
                f"{username}: {path} has no Cache-Control: no-store ({headers.get('Cache-Control')})",
            )
        status, headers, body = client.request(export)
        expect(status == 200, f"{username}: export {export} answered {status}")
        expect(content_type in headers.get("Content-Type", ""), f"{username}: export {export} is {headers.get('Content-Type')}")
        expect(len(body) > 0, f"{username}: export {export} is empty")
        expect("no-store" in headers.get("Cache-Control", ""), f"{username}: export {export} may be cached")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the server's address, e.g. http://127.0.0.1:8140")
    args = parser.parse_args()
    started = time.monotonic()
    failures = crawl(args.base)
    elapsed = time.monotonic() - started
    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    print(f"production crawl: {len(ROLES)} roles, {len(failures)} failures, {elapsed:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
