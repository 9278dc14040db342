"""Stop PostgreSQL under a running app for a few seconds: friendly 503s, /healthz says so, and it recovers.

    .venv/bin/python bench/reliability/db_outage.py [--port 8019] [--outage-seconds 4]

Needs the database prepared by concurrent_updates.py (tracker_reliability, demo loaded) and permission to
run `pg_ctlcluster --skip-systemctl-redirect 15 main stop|start`. The cluster may be shared, so the outage
is kept short and the database is ALWAYS started again in a `finally` block. Not part of the pytest suite.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from concurrent_updates import Browser, env_for, start_gunicorn  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main"]
PAGES = ["/authorities/barnsley/", "/actions/", "/healthz"]


def fetch(browser: Browser, path: str) -> tuple[int, str, float]:
    started = time.monotonic()
    status, _, body = browser.request(path)
    return status, body, time.monotonic() - started


def probe(browser: Browser, label: str) -> list[str]:
    lines = []
    for path in PAGES:
        status, body, seconds = fetch(browser, path)
        friendly = "Sorry, the service is unavailable" in body
        trace = any(word in body for word in ("Traceback", "OperationalError", "psycopg", 'File "/'))
        lines.append(f"{label:<9} {path:<24} {status}  {seconds * 1000:6.0f} ms  friendly={friendly} trace={trace}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/tracker_reliability")
    parser.add_argument("--port", type=int, default=8019)
    parser.add_argument("--outage-seconds", type=float, default=4)
    args = parser.parse_args()

    server = start_gunicorn(args.database_url, args.port)
    browser = Browser(f"http://127.0.0.1:{args.port}")
    report, failures = [], []
    try:
        browser.sign_in("lead")
        report += probe(browser, "before")
        stopped_at = time.monotonic()
        try:
            subprocess.run(CLUSTER + ["stop", "-m", "fast"], check=True)
            during = []
            for path in PAGES:
                status, body, seconds = fetch(browser, path)
                during.append((path, status, body, seconds))
                trace = any(word in body for word in ("Traceback", "OperationalError", "psycopg", 'File "/'))
                report.append(f"{'down':<9} {path:<24} {status}  {seconds * 1000:6.0f} ms  "
                              f"friendly={'Sorry, the service is unavailable' in body or 'unreachable' in body} trace={trace}")
                if status != 503 or trace:
                    failures.append(f"{path} answered {status} during the outage (trace={trace})")
            time.sleep(max(0.0, args.outage_seconds - (time.monotonic() - stopped_at)))
        finally:
            subprocess.run(CLUSTER + ["start"], check=True)
            outage = time.monotonic() - stopped_at
        recovered_after = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status, _, _ = fetch(browser, "/healthz")
            if status == 200:
                recovered_after = time.monotonic() - stopped_at - outage
                break
            time.sleep(0.2)
        report += probe(browser, "after")
        if recovered_after is None:
            failures.append("the app did not recover within 30 s of the database starting")
        for line in report:
            if line.startswith("after") and " 200 " not in line:
                failures.append("after recovery: " + line)
    finally:
        server.terminate()
        server.wait(10)

    print("\n".join(report))
    print(f"database down for {outage:.1f} s; app healthy again {recovered_after:.1f} s after the database started "
          "(same gunicorn processes, no restart)" if recovered_after is not None else "did not recover")
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        return 1
    print("OK: friendly 503 during the outage, no stack trace, recovered without restart.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
