"""The slowest SQL of each key page, with PostgreSQL's EXPLAIN (ANALYZE, BUFFERS) for each.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench10 \
        .venv/bin/python bench/explain.py [--top 2] [--only overview dashboard]

Run it after bench/run_benchmarks.py has made its users. Pages are requested in-process through Django's
test client as the same users the benchmark signs in as; ANALYZE runs each query again for real.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--top", type=int, default=2, help="Slowest queries per page to explain.")
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.run_benchmarks import build_pages, prepare_users_and_targets

    settings.ALLOWED_HOSTS = ["*"]
    targets = prepare_users_and_targets(1)
    pages = [p for p in build_pages(targets, argparse.Namespace(only=args.only)) if p.method == "GET"]
    User = get_user_model()
    for page in pages:
        if args.only and page.key not in args.only:
            continue
        client = Client()
        client.force_login(User.objects.get(username=page.user))
        client.get(page.path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page.path)
        total = sum(float(q["time"]) for q in captured.captured_queries)
        print(f"\n=== {page.key} {page.path} HTTP {response.status_code}: {len(captured)} queries, "
              f"{total * 1000:.0f} ms in SQL")
        slowest = sorted(captured.captured_queries, key=lambda q: float(q["time"]), reverse=True)[: args.top]
        for query in slowest:
            sql = query["sql"]
            print(f"\n--- {float(query['time']) * 1000:.1f} ms: {sql[:400]}{'...' if len(sql) > 400 else ''}")
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                for (line,) in cursor.fetchall():
                    print("    " + line)


if __name__ == "__main__":
    main()
