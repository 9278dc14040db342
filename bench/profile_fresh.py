"""Where a page built afresh (the first view after a change) spends its time, in-process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_perf_s1 \
        .venv/bin/python bench/profile_fresh.py [--only dashboard compare] [--repeat 20] [--profile 25]

For each key page: the benchmark's users and targets (as bench/run_benchmarks.py makes them), one warm-up
read, then `--repeat` reads each preceded by a raise of the council's data revision as a progress note on
one of its actions raises it after its commit (`--statuses`: as a changed status does, which raises its
statuses revision too; `--visits`: as a change to a visit does, which raises all three), so each read rebuilds the council's cached figures that the change touches. Prints the median and
worst wall time, the Python CPU time (what the neighbours on a shared machine do not inflate), the queries and their SQL time per read, the slowest queries, and (with `--profile N`)
the top N functions of a cProfile of the reads by cumulative time. Nothing is written but the revision
and the bench users.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--profile", type=int, default=0, help="Show this many functions of a cProfile.")
    parser.add_argument("--queries", type=int, default=3, help="Slowest queries shown per page.")
    parser.add_argument("--visits", action="store_true",
                        help="Raise the council's visits revision too (a changed visit), not only its data revision.")
    parser.add_argument("--statuses", action="store_true",
                        help="Raise the council's statuses revision too (a changed status), not only its data revision.")
    parser.add_argument("--explain", action="store_true",
                        help="Run each SELECT of the last read again under EXPLAIN (ANALYZE, BUFFERS): the server's own "
                             "execution time and pages touched per query, sorted by pages.")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.run_benchmarks import AFTER_CHANGE_PAGES, build_pages, prepare_users_and_targets
    from inspections.models import LocalAuthority
    from inspections.services import authority_data_changed

    settings.ALLOWED_HOSTS = ["*"]
    targets = prepare_users_and_targets(1)
    authority = LocalAuthority.objects.get(slug=targets["authority"]["slug"])
    pages = build_pages(targets, argparse.Namespace(only=None, after_change=False))
    User = get_user_model()
    for page in pages:
        if page.key not in AFTER_CHANGE_PAGES or (args.only and page.key not in args.only):
            continue
        client = Client()
        client.force_login(User.objects.get(username=page.user))
        client.get(page.path)
        times, cpu, counts, sql_ms = [], [], [], []
        slow: dict[str, float] = {}
        # Timed by this process's CPU: on a shared machine, wall time mostly measures the neighbours.
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        for _ in range(args.repeat):
            authority_data_changed(authority_ids=[authority.pk], visits=args.visits, statuses=args.statuses)
            with CaptureQueriesContext(connection) as captured:
                started, started_cpu = time.perf_counter(), time.process_time()
                if profiler:
                    profiler.enable()
                response = client.get(page.path)
                if profiler:
                    profiler.disable()
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
            assert response.status_code == 200, (page.path, response.status_code)
            counts.append(len(captured))
            sql_ms.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
            for q in captured.captured_queries:
                slow[q["sql"]] = max(slow.get(q["sql"], 0.0), float(q["time"]) * 1000)
        print(f"\n=== {page.key} {page.path}: median {statistics.median(times) * 1000:.0f} ms, "
              f"max {max(times) * 1000:.0f} ms; Python CPU median {statistics.median(cpu) * 1000:.0f} ms; {statistics.median(counts):.0f} queries, "
              f"{statistics.median(sql_ms):.0f} ms in SQL (median)")
        for sql, ms in sorted(slow.items(), key=lambda kv: kv[1], reverse=True)[: args.queries]:
            print(f"  {ms:6.1f} ms  {sql[:300]}")
        if args.explain:
            explained = []
            with connection.cursor() as cursor:
                for q in captured.captured_queries:
                    sql = q["sql"]
                    if not sql.lstrip().upper().startswith("SELECT"):
                        continue
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
                    plan = cursor.fetchone()[0][0]
                    node = plan["Plan"]
                    pages_touched = node.get("Shared Hit Blocks", 0) + node.get("Shared Read Blocks", 0)
                    explained.append((pages_touched, plan["Execution Time"], sql))
            print(f"  server: {sum(e[1] for e in explained):.1f} ms executing, {sum(e[0] for e in explained)} pages")
            for pages_touched, ms, sql in sorted(explained, reverse=True)[:8]:
                print(f"  {pages_touched:7d} pages {ms:7.1f} ms  {sql[:200]}")
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
