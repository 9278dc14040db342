"""Load benchmark: gunicorn (2 workers) on PostgreSQL with generated data, driven from loopback.

Run from the repository root, on a database loaded by `manage.py generate_data`:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench1 \
        .venv/bin/python bench/run_benchmarks.py --label "scale 1"

What it does, in one run:
1. Makes three bench users (idempotent): a superuser for the admin changelist baseline, an improvement
   lead of the authority with the most actions (its dashboard, lists, comparison and updates) and a
   senior leader who belongs to every authority (the overview).
2. Starts gunicorn with 2 sync workers on 127.0.0.1 (DEBUG off), waits for /healthz.
3. Signs each load client in through the real sign-in form, warms every page, then measures each page in
   its own phase: the same number of requests from the same number of concurrent clients, bounded in
   count and in time. Baselines (GET /healthz and /admin/actions/action/) are measured in the same run.
4. Reports p50, p95, requests per second, errors, gunicorn worker RSS (from /proc) and the ratios
   p95 / healthz p95 and p95 / admin changelist p95, as a Markdown table and as JSON (and, against a
   version with the old page cache, how many answers came from it: the X-Page-Cache header).

"First view after a change" phases (`--after-change`, on by default): before every measured read of a
key page, a lead of the measured council saves a real update through the form (not timed), and the
write and the read are made one at a time, so every measured read is the first view of the page after
a committed change to its council: the page built afresh. Two phases also read a page with an update
before every tenth read, as a council's day looks. `--cache off` runs the server with its cache off
(DATA_CACHE_SECONDS=0, and PAGE_CACHE_SECONDS=0 for the old page cache); `--redis URL` runs it with
REDIS_URL set (the data cache shared by the workers, as several app servers share it).

A page whose URL is not in the URLconf yet is reported as missing. The load generator is a bounded
pool of threads speaking HTTP/1.1 with the standard library (one connection per request, as gunicorn's
sync workers close them); it shares the machine's two cores with the server, as a real single-box
benchmark must, so absolute figures are pessimistic and the ratios are what to compare.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.htmlform import form_with_field, post_forms  # noqa: E402
HOST = "127.0.0.1"
BENCH_PASSWORD = "bench-password-2026-not-secret"
CORPUS = ROOT / "tests" / "importing" / "corpus" / "inspections"


# --- Django side: users and targets ---------------------------------------------------------------


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def url_exists(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(path.split("?")[0])
    except Resolver404:
        return False
    return True


def prepare_users_and_targets(seed: int) -> dict:
    """Bench users and the objects the pages are measured on (the biggest authority: the worst case)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from accounts.models import Membership, Role
    from accounts.services import user_provision
    from actions.models import OPEN_STATUSES, Action
    from inspections.models import Inspection, LocalAuthority

    User = get_user_model()
    biggest = (
        LocalAuthority.objects.annotate(n=Count("inspections__findings__actions"))
        .order_by("-n", "name")
        .first()
    )
    if biggest is None:
        raise SystemExit("No authorities: load data first (manage.py generate_data).")
    superuser, _ = User.objects.get_or_create(username="bench-superuser")
    superuser.is_superuser = superuser.is_staff = True
    superuser.set_password(BENCH_PASSWORD)
    superuser.save()
    user_provision(username="bench-lead", password=BENCH_PASSWORD, role=Role.IMPROVEMENT_LEAD, authorities=[biggest])
    leader = user_provision(
        username="bench-national", password=BENCH_PASSWORD, role=Role.SENIOR_LEADER, authorities=[]
    )
    existing = set(Membership.objects.filter(user=leader).values_list("authority_id", flat=True))
    Membership.objects.bulk_create(
        [Membership(user=leader, authority_id=pk) for pk in LocalAuthority.objects.values_list("pk", flat=True)
         if pk not in existing]
    )
    lead = User.objects.get(username="bench-lead")
    latest = Inspection.objects.filter(authority=biggest).order_by("-visit_start").first()
    rng = random.Random(seed)
    open_actions = list(
        Action.objects.filter(finding__inspection__authority=biggest, status__in=OPEN_STATUSES)
        .order_by("id")
        .values_list("id", flat=True)[:2000]
    )
    rng.shuffle(open_actions)
    some_action = open_actions[0] if open_actions else Action.objects.filter(
        finding__inspection__authority=biggest).values_list("id", flat=True).first()
    # "My actions" is measured as the authority's busiest owner, who signs in with the bench password.
    owner_id = (
        Action.objects.filter(finding__inspection__authority=biggest, owner__user__isnull=False)
        .values("owner__user_id").annotate(n=Count("id")).order_by("-n", "owner__user_id")
        .values_list("owner__user_id", flat=True)
        .first()
    )
    owner = User.objects.get(pk=owner_id)
    owner.set_password(BENCH_PASSWORD)
    owner.save(update_fields=["password"])
    return {
        "authority": {"slug": biggest.slug, "name": biggest.name, "actions": biggest.n},
        "lead_id": lead.id,
        "owner": owner.username,
        "latest_inspection": latest.pk if latest else None,
        "action": some_action,
        "open_actions": open_actions,
    }


def data_size() -> dict[str, int]:
    from django.db import connection

    tables = ["inspections_localauthority", "inspections_inspection", "findings_finding", "actions_action",
              "actions_actionupdate", "auth_user"]
    with connection.cursor() as cursor:
        sizes = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
            sizes[table] = cursor.fetchone()[0]
    return sizes


def longest_pdf() -> tuple[Path, int]:
    from pypdf import PdfReader

    pages = sorted((len(PdfReader(path).pages), path.name, path) for path in CORPUS.glob("*.pdf"))
    count, _, path = pages[-1]
    return path, count


# --- HTTP side -------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


class Client:
    """One signed-in browser: a cookie jar and a CSRF token, one connection per request."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=150)
        all_headers = {"Host": f"{HOST}:{self.port}", "Connection": "close"}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=all_headers)
            raw = conn.getresponse()
            data = raw.read()
            for name, value in raw.getheaders():
                if name.lower() == "set-cookie":
                    cookie = value.split(";", 1)[0]
                    key, _, val = cookie.partition("=")
                    self.cookies[key.strip()] = val.strip()
            return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, data)
        finally:
            conn.close()

    @property
    def csrf(self) -> str:
        return self.cookies.get("csrftoken", "")

    def form_post(self, path: str, fields: dict, referer: str | None = None) -> Response:
        body = urlencode({**fields, "csrfmiddlewaretoken": self.csrf}).encode()
        return self.request(
            "POST", path, body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Referer": f"http://{HOST}:{self.port}{referer or path}"},
        )

    def multipart_post(self, path: str, fields: dict, files: dict[str, tuple[str, bytes, str]]) -> Response:
        boundary = uuid.uuid4().hex
        out = io.BytesIO()
        for name, value in {**fields, "csrfmiddlewaretoken": self.csrf}.items():
            out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode())
        for name, (filename, data, content_type) in files.items():
            out.write(
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
                f"Content-Type: {content_type}\r\n\r\n".encode()
            )
            out.write(data)
            out.write(b"\r\n")
        out.write(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST", path, body=out.getvalue(),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                     "Referer": f"http://{HOST}:{self.port}{path}"},
        )

    def sign_in(self, username: str) -> None:
        self.request("GET", "/sign-in/")
        response = self.form_post("/sign-in/", {"username": username, "password": BENCH_PASSWORD})
        if response.status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"Could not sign in as {username}: HTTP {response.status}")


# --- pages -------------------------------------------------------------------------------------------


@dataclass
class Page:
    key: str
    label: str
    user: str
    path: str
    method: str = "GET"
    baseline: bool = False
    # For POSTs: builds and sends one request with a client, returns the response.
    send: object = None
    expect: tuple[int, ...] = (200,)
    note: str = ""
    # One update saved to the council's actions by another signed-in lead before every this many reads.
    reads_per_write: int = 0
    # The write and the read made one at a time (every measured read is the first after a change).
    serial: bool = False
    writer: object = None
    writer_client: object = None


# Far more often than a council's pages change in real use (a few hundred updates a month against many
# more views), so the figure shows the cost of rebuilding pages after changes, not a cache that never has to.
READS_PER_WRITE = 10


def build_pages(targets: dict, args) -> list[Page]:
    slug = targets["authority"]["slug"]
    filters = urlencode([("status", "in_progress"), ("status", "blocked"), ("rag", "red"), ("rag", "amber"),
                         ("sort", "due")])
    pages = [
        Page("healthz", "GET /healthz (floor of the stack)", "bench-lead", "/healthz", baseline=True),
        Page("admin_changelist", "Admin changelist of actions (free baseline)", "bench-superuser",
             "/admin/actions/action/", baseline=True),
        # Not a target: a static GOV.UK page for a signed-in user (session, layout, no data), the floor of
        # any page of ours, against which the 4x healthz target can be read.
        Page("static_page", "Static signed-in GOV.UK page (accessibility statement)", "bench-lead", "/accessibility/"),
        Page("dashboard", "Authority dashboard (the current plan)", "bench-lead", f"/authorities/{slug}/dashboard/"),
        Page("dashboard_writes", f"Authority dashboard, an update saved to the council every {READS_PER_WRITE} views",
             "bench-lead", f"/authorities/{slug}/dashboard/", reads_per_write=READS_PER_WRITE),
        Page("overview", "Overview across authorities (member of all)", "bench-national", "/overview/"),
        Page("overview_writes", f"Overview, an update saved to one council every {READS_PER_WRITE} views",
             "bench-national", "/overview/", reads_per_write=READS_PER_WRITE),
        Page("action_list", "Action list with filters", "bench-lead", f"/actions/?{filters}"),
        Page("my_actions", "My actions (the busiest owner)", targets["owner"], "/actions/mine/"),
        Page("compare", "Visit comparison (the latest 6 visits)", "bench-lead",
             f"/authorities/{slug}/compare/"),
        Page("action_update", "Action update POST", "bench-lead", f"/actions/{targets['action']}/update/",
             method="POST", expect=(200, 302, 303)),
        Page("import_pdf", "Import preview of the longest real PDF", "bench-superuser", "/import/",
             method="POST", expect=(200,)),
        Page("authority_list", "Authority list (member of all)", "bench-national", "/authorities/"),
        Page("authority_detail", "Authority page (visits list)", "bench-lead", f"/authorities/{slug}/"),
        Page("inspection_detail", "Inspection page (findings and actions)", "bench-lead",
             f"/inspections/{targets['latest_inspection']}/"),
        Page("action_detail", "Action page (history)", "bench-lead", f"/actions/{targets['action']}/"),
    ]
    if args.after_change:
        # The same key pages, each read the first time after a change to the measured council.
        for key in AFTER_CHANGE_PAGES:
            page = next(p for p in pages if p.key == key)
            pages.append(Page(f"{key}_fresh", f"{page.label}: first view after a change", page.user, page.path,
                              reads_per_write=1, serial=True))
    return [p for p in pages if not args.only or p.key in args.only or p.baseline]


AFTER_CHANGE_PAGES = ("dashboard", "overview", "action_list", "my_actions", "compare", "authority_list")


class ActionUpdater:
    """POSTs the action update form: each client owns its own actions, so versions never collide.

    The form is read once per action (its hidden fields and current version), then each POST sends the
    version the client last saw and bumps it on success, as a browser would after the redirect.
    """

    def __init__(self, open_actions: list[int]):
        self.pool = list(open_actions)
        self.lock = threading.Lock()
        self.state: dict[int, dict] = {}

    def _claim(self, client: Client) -> tuple[int, dict]:
        key = id(client)
        with self.lock:
            if key not in self.state:
                pk = self.pool.pop() if self.pool else None
                self.state[key] = {"pk": pk, "fields": None}
        return self.state[key]["pk"], self.state[key]

    def send(self, client: Client) -> Response:
        pk, state = self._claim(client)
        path = f"/actions/{pk}/update/"
        if state["fields"] is None:
            page = client.request("GET", path)
            if page.status != 200:
                page = client.request("GET", f"/actions/{pk}/")
            state["fields"] = self._form_fields(page.body.decode("utf-8", "replace"))
        fields = dict(state["fields"])
        fields["note"] = f"Bench update {time.monotonic():.3f}"
        response = client.form_post(path, fields, referer=f"/actions/{pk}/")
        if response.status in (302, 303) and "version" in state["fields"]:
            state["fields"]["version"] = str(int(state["fields"]["version"]) + 1)
        elif response.status == 200 and b"changed by someone else" in response.body.lower():
            state["fields"] = None  # Stale: re-read next time.
        return response

    @staticmethod
    def _form_fields(html: str) -> dict[str, str]:
        form = form_with_field(html, "version")
        fields = dict(form["fields"]) if form else {}
        fields.pop("csrfmiddlewaretoken", None)
        # Keep the lead's RAG even where it differs from the suggested one: that needs a reason.
        if "rag_reason" in fields:
            fields["rag_reason"] = "Bench: keeping the current rating."
        return fields


class Importer:
    """Uploads the longest real PDF to the import page and follows the redirect to its preview.

    One measured request is the whole wait a person has: upload, extract, parse, then the preview page.
    """

    def __init__(self, pdf: Path, path: str):
        self.data = pdf.read_bytes()
        self.name = pdf.name
        self.path = path
        self.field_name = None
        self.lock = threading.Lock()

    def send(self, client: Client) -> Response:
        with self.lock:
            if self.field_name is None:
                page = client.request("GET", self.path)
                forms = [f for f in post_forms(page.body.decode("utf-8", "replace")) if f["files"]]
                self.field_name = forms[0]["files"][0] if forms else "file"
        response = client.multipart_post(self.path, {}, {self.field_name: (self.name, self.data, "application/pdf")})
        # The upload answers with a redirect to the preview; a person waits for that page too.
        location = response.headers.get("location", "")
        if response.status in (302, 303) and location.startswith("/import/"):
            return client.request("GET", location)
        return response


# --- measuring -------------------------------------------------------------------------------------


@dataclass
class Result:
    page: Page
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    elapsed: float = 0.0
    worker_rss_mb: float = 0.0
    missing: bool = False
    # Answers served from the page cache (X-Page-Cache: hit) and built afresh (miss).
    cache_hits: int = 0
    cache_misses: int = 0
    writes: int = 0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, int(round(q * len(ordered) + 0.5)) - 1))
        return ordered[index] * 1000

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{master}$", status, re.M):
                pids.append(int(entry.name))
    return pids


def rss_mb(pid: int) -> float:
    try:
        match = re.search(r"^VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    except OSError:
        return 0.0
    return int(match.group(1)) / 1024 if match else 0.0


def run_phase(page: Page, clients: list[Client], requests: int, max_seconds: float, master: int) -> Result:
    result = Result(page)
    counter = iter(range(requests))
    lock = threading.Lock()
    deadline = time.monotonic() + max_seconds

    def one(client: Client) -> Response:
        if page.send is not None:
            return page.send(client)
        return client.request(page.method, page.path)

    writer_lock = threading.Lock()

    def loop(client: Client) -> None:
        if page.serial:
            with writer_lock:
                return serial_loop(client)
        return shared_loop(client)

    def serial_loop(client: Client) -> None:
        # Write then read, one pair at a time whatever the number of clients: no read can find the page
        # already built by another client after the same change.
        while time.monotonic() < deadline:
            with lock:
                n = next(counter, None)
                if n is None:
                    return
            saved = page.writer.send(page.writer_client).status in (302, 303)
            started = time.perf_counter()
            try:
                status = one(client).status
            except (OSError, http.client.HTTPException):
                status = 0
            took = time.perf_counter() - started
            with lock:
                result.writes += saved
                result.latencies.append(took)
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if status not in page.expect:
                    result.errors += 1

    def shared_loop(client: Client) -> None:
        while time.monotonic() < deadline:
            with lock:
                n = next(counter, None)
                if n is None:
                    return
            if page.reads_per_write and n % page.reads_per_write == 0:
                # Another lead saves an update to the council first (not timed): its revision moves, so the
                # next read of the page on each worker is built afresh.
                with writer_lock:
                    saved = page.writer.send(page.writer_client).status in (302, 303)
                with lock:
                    result.writes += saved
            started = time.perf_counter()
            try:
                response = one(client)
                status = response.status
            except (OSError, http.client.HTTPException):
                status = 0
            took = time.perf_counter() - started
            cached = response.headers.get("x-page-cache") if status else None
            with lock:
                result.cache_hits += cached == "hit"
                result.cache_misses += cached == "miss"
                result.latencies.append(took)
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if status not in page.expect:
                    result.errors += 1

    started = time.monotonic()
    threads = [threading.Thread(target=loop, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed = time.monotonic() - started
    result.worker_rss_mb = max((rss_mb(pid) for pid in worker_pids(master)), default=0.0)
    return result


def start_server(args) -> subprocess.Popen:
    env = {**os.environ, "DEBUG": "0", "APP_ENV": os.environ.get("APP_ENV", "development"),
           "LOG_LEVEL": "WARNING", "DB_CONN_MAX_AGE": "60"}
    if args.cache == "off":
        env["PAGE_CACHE_SECONDS"] = "0"  # the page cache of versions before the data cache
        env["DATA_CACHE_SECONDS"] = "0"
    if args.redis:
        env["REDIS_URL"] = args.redis
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi:application", "--workers", str(args.workers),
               "--bind", f"{HOST}:{args.port}", "--timeout", "180", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if Client(args.port).request("GET", "/healthz").status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def fmt(value: float) -> str:
    return "–" if value != value else f"{value:.1f}"  # NaN check


def report(results: list[Result], meta: dict) -> str:
    by_key = {r.page.key: r for r in results}
    floor = by_key["healthz"].percentile(0.95)
    admin = by_key["admin_changelist"].percentile(0.95)
    lines = [
        f"### {meta['label']}: {meta['requests']} requests a page, {meta['concurrency']} concurrent clients, "
        f"{meta['workers']} gunicorn workers",
        "",
        "| Page | p50 ms | p95 ms | req/s | errors | from the page cache | worker RSS MB | p95 / healthz | p95 / admin |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        if r.missing:
            lines.append(f"| {r.page.label} | missing: `{r.page.path.split('?')[0]}` not in the URLconf | | | | | | | |")
            continue
        p95 = r.percentile(0.95)
        cached = f"{r.cache_hits}/{r.cache_hits + r.cache_misses}" if r.cache_hits + r.cache_misses else "–"
        label = f"{r.page.label} ({r.writes} saved)" if r.writes else r.page.label
        lines.append(
            f"| {label} | {fmt(r.percentile(0.5))} | {fmt(p95)} | {r.rps:.1f} | {r.errors} | {cached} | "
            f"{r.worker_rss_mb:.0f} | {p95 / floor:.1f}× | {p95 / admin:.2f}× |"
        )
    return "\n".join(lines)


def copy_database(url: str, template: str) -> None:
    """Drop the database `url` names and create it again as a copy of `template` (CREATE DATABASE ... TEMPLATE)."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    target = parts.path.lstrip("/")
    if target == template:
        raise SystemExit("--copy-of names the database being measured: give the generated data's own database.")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(target)))
        connection.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(target),
                                                                             sql.Identifier(template)))
    print(f"{target}: a fresh copy of {template}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--label", default="run")
    parser.add_argument("--port", type=int, default=8020)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=2, help="Concurrent load clients (threads).")
    parser.add_argument("--requests", type=int, default=200, help="Requests per page (upper bound).")
    parser.add_argument("--max-seconds", type=float, default=60, help="Time cap per page phase.")
    parser.add_argument("--warmup", type=int, default=4, help="Unmeasured requests per page first.")
    parser.add_argument("--import-requests", type=int, default=20, help="Requests for the PDF import phase.")
    parser.add_argument("--only", nargs="*", help="Measure only these page keys (baselines always).")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", choices=["on", "off"], default="on",
                        help="off: every page is built on every request (DATA_CACHE_SECONDS=0).")
    parser.add_argument("--redis", default="", help="Run the server with REDIS_URL set to this (flushed first).")
    parser.add_argument("--after-change", action=argparse.BooleanOptionalAction, default=True,
                        help="Measure each key page's first view after a change too (default on).")
    parser.add_argument("--json", type=Path, help="Also write the results here as JSON.")
    parser.add_argument("--copy-of", metavar="DATABASE",
                        help="First replace DATABASE_URL's database with a fresh copy of this one (the data as "
                             "generated): every run saves 1,200 updates, which would pile up on one action's "
                             "history from one run to the next.")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ or not os.environ["DATABASE_URL"].startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to the PostgreSQL database loaded by generate_data.")
    if args.copy_of:
        copy_database(os.environ["DATABASE_URL"], args.copy_of)

    django_setup()
    targets = prepare_users_and_targets(args.seed)
    sizes = data_size()
    pdf, pdf_pages = longest_pdf()
    pages = build_pages(targets, args)
    updater = ActionUpdater(targets["open_actions"])
    for page in pages:
        if page.key == "action_update":
            page.send = updater.send
        if page.reads_per_write:
            page.writer = updater
        if page.key == "import_pdf":
            page.label = f"Import preview of a {pdf_pages}-page PDF ({pdf.name})"
            page.send = Importer(pdf, page.path).send
    from django.db import connections

    connections.close_all()
    if args.redis:
        import redis

        redis.Redis.from_url(args.redis).flushdb()  # a cold cache: the warm-up fills it

    load_before = Path("/proc/loadavg").read_text().split()[:3]
    server = start_server(args)
    results: list[Result] = []
    try:
        sessions: dict[str, list[Client]] = {}
        for username in sorted({p.user for p in pages}):
            sessions[username] = []
            for _ in range(args.concurrency):
                client = Client(args.port)
                client.sign_in(username)
                sessions[username].append(client)
        for page in pages:
            if not url_exists(page.path):
                results.append(Result(page, missing=True))
                print(f"{page.key:20s} missing", file=sys.stderr)
                continue
            clients = sessions[page.user]
            if page.reads_per_write and page.writer_client is None:
                page.writer_client = Client(args.port)
                page.writer_client.sign_in("bench-lead")  # a lead of the measured council saves the updates
            count = args.import_requests if page.key == "import_pdf" else args.requests
            run_phase(page, clients, args.warmup, args.max_seconds, server.pid)
            result = run_phase(page, clients, count, args.max_seconds, server.pid)
            results.append(result)
            print(
                f"{page.key:20s} p50 {fmt(result.percentile(0.5)):>7} ms  p95 {fmt(result.percentile(0.95)):>7} ms  "
                f"{result.rps:6.1f} req/s  statuses {result.statuses}",
                file=sys.stderr,
            )
    finally:
        stop_server(server)

    meta = {"label": args.label, "cache": args.cache, "redis": bool(args.redis), "requests": args.requests, "concurrency": args.concurrency,
            "workers": args.workers, "sizes": sizes, "authority": targets["authority"],
            "pdf": {"name": pdf.name, "pages": pdf_pages},
            "loadavg_before": load_before, "loadavg_after": Path("/proc/loadavg").read_text().split()[:3]}
    print(report(results, meta))
    print()
    print(f"Data: {', '.join(f'{k} {v:,}' for k, v in sizes.items())}; measured authority: "
          f"{targets['authority']['name']} ({targets['authority']['actions']:,} actions). Load average before "
          f"{' '.join(meta['loadavg_before'])}, after {' '.join(meta['loadavg_after'])} (other work on the machine "
          "inflates every figure; compare ratios).")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "meta": meta,
            "pages": [
                {"key": r.page.key, "label": r.page.label, "path": r.page.path, "missing": r.missing,
                 "p50_ms": None if r.missing else r.percentile(0.5),
                 "p95_ms": None if r.missing else r.percentile(0.95),
                 "rps": r.rps, "errors": r.errors, "statuses": r.statuses, "worker_rss_mb": r.worker_rss_mb,
                 "cache_hits": r.cache_hits, "cache_misses": r.cache_misses, "writes": r.writes}
                for r in results
            ],
        }, indent=2))


if __name__ == "__main__":
    main()
