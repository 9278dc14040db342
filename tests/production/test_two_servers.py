"""Several app servers: two gunicorn instances on different ports, one PostgreSQL, one Redis, shared upload
storage. What one server does, the other sees at once: a sign-in, an upload, a save, failed sign-ins.
And the release step migrates once, under a lock, while app servers never migrate.

Needs PostgreSQL (the suite's database) and Redis (PRODUCTION_REDIS_URL, default redis://127.0.0.1:6379/0;
scripts/test.sh starts it).
"""

from __future__ import annotations

import importlib.util
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from accounts.models import Role
from findings.models import FindingKind
from tests.factories import FindingFactory, InspectionFactory, LocalAuthorityFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("PRODUCTION_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "two-servers-password-2026"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="several servers share one PostgreSQL"),
]

_spec = importlib.util.spec_from_file_location("production_crawl", ROOT / "scripts" / "production_crawl.py")
crawl = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(crawl)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def servers(tmp_path):
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DEBUG": "0",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": REDIS_URL,
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "shared-media"),
        "AXES_FAILURE_LIMIT": "3",
        "DB_CONN_MAX_AGE": "0",
    }
    processes, bases = [], []
    for _ in range(2):
        port = _free_port()
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                 "--log-level", "warning"],
                cwd=ROOT, env=env,
            )
        )
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base in bases:
            for _ in range(150):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            else:
                pytest.fail(f"{base} did not start")
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        connection.close()


@pytest.fixture
def lead(settings):
    # The servers check passwords with the real hashers, not the suite's fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    authority = LocalAuthorityFactory(name="Twinshire", slug="twinshire")
    inspection = InspectionFactory(authority=authority)
    FindingFactory(inspection=inspection, kind=FindingKind.IMPROVEMENT, position=1)
    user = UserFactory(username="twinlead", role=Role.IMPROVEMENT_LEAD, authorities=[authority])
    user.set_password(PASSWORD)
    user.save()
    return {"user": user, "inspection": inspection}


def _on(client, base):
    client.base = base
    return client


def test_a_session_an_upload_and_a_save_on_one_server_show_at_once_on_the_other(servers, lead):
    a, b = servers
    client = crawl.Client(a, proxied_https=False)
    assert crawl.sign_in(client, "twinlead", PASSWORD) == 302

    # Signed in on A, signed in on B.
    status, _, page = _on(client, b).request("/actions/")
    assert status == 200  # not a redirect to the sign-in page
    assert b"Audit plans from server A" not in page

    # Uploaded on A, read back on B (the file through the shared storage, the state in the shared session).
    status, _, page = _on(client, a).request("/actions/import/")
    status, headers, _ = client.request(
        "/actions/import/",
        {"csrfmiddlewaretoken": crawl.csrf_token(page), "inspection": str(lead["inspection"].pk)},
        files={"file": ("plan.csv", b"Ref,Action\nImprovement 1,Audit plans from server A\n")},
    )
    assert status == 302, "the upload was refused"
    columns = urllib.parse.urlsplit(headers["Location"]).path
    status, _, page = _on(client, b).request(columns)
    assert status == 200 and b"Audit plans from server A" in page

    mapping = {
        name.decode(): (re.search(rb'<option value="([^"]*)" selected', select) or [None, b""])[1].decode()
        for name, select in re.findall(rb'<select[^>]*name="(col_\d+)"[^>]*>(.*?)</select>', page, re.S)
    }
    status, headers, _ = client.request(columns, {"csrfmiddlewaretoken": crawl.csrf_token(page), **mapping})
    assert status == 302
    check = urllib.parse.urlsplit(headers["Location"]).path

    # Saved on A, listed at once on B.
    status, _, page = _on(client, a).request(check)
    assert status == 200
    status, _, _ = client.request(check, {"csrfmiddlewaretoken": crawl.csrf_token(page)})
    assert status == 302
    status, _, page = _on(client, b).request("/actions/")
    assert status == 200 and b"Audit plans from server A" in page


def test_failed_sign_ins_are_counted_across_servers(servers, lead):
    a, b = servers
    for base in (a, b, a):  # AXES_FAILURE_LIMIT=3, spread over both servers
        assert crawl.sign_in(crawl.Client(base, proxied_https=False), "twinlead", "wrong password") != 302
    for base in (a, b):
        client = crawl.Client(base, proxied_https=False)
        assert crawl.sign_in(client, "twinlead", PASSWORD) != 302
        _, _, page = client.request("/sign-in/")
        status, _, page = client.request(
            "/sign-in/", {"csrfmiddlewaretoken": crawl.csrf_token(page), "username": "twinlead", "password": PASSWORD}
        )
        assert b"Too many sign-in attempts" in page


def test_the_release_step_migrates_under_a_lock_and_app_servers_never_migrate():
    key = _release_lock_key()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [key])
        try:
            release = subprocess.Popen(
                [sys.executable, "scripts/release.py"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                env={**os.environ, "APP_ENV": "development", "DATABASE_URL": _database_url()},
            )
            time.sleep(4)
            assert release.poll() is None, "the release step did not wait for the lock"
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
    output, _ = release.communicate(timeout=300)
    assert release.returncode == 0, output.decode()
    assert b"No migrations to apply" in output
    start_command = [line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD")]
    assert start_command and "migrate" not in start_command[-1]


def _release_lock_key() -> int:
    source = (ROOT / "scripts" / "release.py").read_text()
    return int(re.search(r"RELEASE_LOCK_KEY = (0x[0-9a-fA-F_]+)", source).group(1).replace("_", ""), 16)
