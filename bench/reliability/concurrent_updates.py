"""Many people saving the same actions at once, through gunicorn on PostgreSQL: nothing is lost.

    .venv/bin/python bench/reliability/concurrent_updates.py [--port 8018] [--rounds 40] [--threads 12]

Creates its own database (tracker_reliability by default; --database-url to change), migrates it, loads the
demo, starts gunicorn (2 workers x 4 threads) on 127.0.0.1:PORT, signs in five Barnsley users and has
THREADS threads send update POSTs to the same 3 actions, each carrying the version it read (a real form
re-submission with a unique note). Then it proves, from the database:

- every accepted update (302 back to the action) has exactly one history row with its note;
- each action's history versions are 1..N with no gap or duplicate, and N is its current version;
- refused saves got the conflict answer (409) and wrote nothing;
- two identical imports started at the same moment (two processes, one barrier) save one inspection.

Loopback only, bounded in count (THREADS x ROUNDS requests) and time (--max-seconds). Figures go to stdout;
docs/reliability.md records them.
"""

from __future__ import annotations

import argparse
import html.parser
import http.cookiejar
import json
import multiprocessing
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
USERS = ["lead", "dwalker", "pmorgan", "ahussain", "admin"]
PASSWORD = "tracker-demo-2026"


def env_for(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE",)}
    env.update({"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "false",
                "AXES_ENABLED": "false", "LOG_LEVEL": "WARNING"})
    return env


def prepare_database(database_url: str) -> None:
    name = urllib.parse.urlparse(database_url).path.lstrip("/")
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin_url, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)
    subprocess.run(["psql", admin_url, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    for command in (["migrate", "--no-input", "-v", "0"], ["load_demo"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env_for(database_url), check=True,
                       stdout=subprocess.DEVNULL)


def start_gunicorn(database_url: str, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [GUNICORN, "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4",
         "--timeout", "30", "--log-level", "warning"],
        cwd=ROOT, env=env_for(database_url), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return process
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    process.kill()
    raise SystemExit("gunicorn did not start")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One signed-in person: a cookie jar and the CSRF token, like a browser without JavaScript."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        headers = {"Referer": self.base + path}
        if data is not None:
            headers["X-CSRFToken"] = self.csrf
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode(errors="replace")

    @property
    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def sign_in(self, username: str) -> None:
        self.request("/sign-in/")
        status, location, _ = self.request("/sign-in/", {"username": username, "password": PASSWORD})
        if status != 302:
            raise SystemExit(f"sign-in failed for {username}: {status}")


class FormValues(html.parser.HTMLParser):
    """The current values of the update form's fields, as a browser would submit them unchanged."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self._select = None
        self._textarea = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post" and "/update/" in (a.get("action") or ""):
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("file", "submit", "button"):
            if a.get("type") in ("radio", "checkbox"):
                if "checked" in a:
                    self.values[a["name"]] = a.get("value", "on")
            else:
                self.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.values[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def update_once(browser: Browser, action_id: int, results: list, lock: threading.Lock) -> None:
    status, _, page = browser.request(f"/actions/{action_id}/update/")
    if status != 200:
        with lock:
            results.append(("read-failed", action_id, status, ""))
        return
    parser = FormValues()
    parser.feed(page)
    form = parser.values
    form.pop("csrfmiddlewaretoken", None)
    note = f"bench-{uuid.uuid4().hex}"
    form["note"] = note
    status, location, body = browser.request(f"/actions/{action_id}/update/", form)
    if status == 302 and location.rstrip("/").endswith(f"/actions/{action_id}"):
        outcome = "accepted"
    elif status == 409:
        outcome = "conflict"
    else:
        outcome = f"other-{status}"
    with lock:
        results.append((outcome, action_id, status, note, int(form.get("version", 0))))


def run_updates(base: str, action_ids: list[int], threads: int, rounds: int, max_seconds: float) -> list:
    browsers = []
    for index in range(threads):
        browser = Browser(base)
        browser.sign_in(USERS[index % len(USERS)])
        browsers.append(browser)
    results: list = []
    lock = threading.Lock()
    start_line = threading.Barrier(threads)
    deadline = time.monotonic() + max_seconds

    def worker(index: int) -> None:
        start_line.wait()
        for round_number in range(rounds):
            if time.monotonic() > deadline:
                break
            update_once(browsers[index], action_ids[(index + round_number) % len(action_ids)], results, lock)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return results


VERIFY = """
import json, django
django.setup()
from actions.models import Action, ActionUpdate
ids = json.loads(input())
out = {}
for pk in ids:
    action = Action.objects.get(pk=pk)
    versions = list(ActionUpdate.objects.filter(action=action).order_by("version").values_list("version", flat=True))
    notes = list(ActionUpdate.objects.filter(action=action, note__startswith="bench-").values_list("note", flat=True))
    out[pk] = {"version": action.version, "versions": versions, "notes": notes}
print(json.dumps(out))
"""


def verify(database_url: str, action_ids: list[int]) -> dict:
    result = subprocess.run([PYTHON, "-c", VERIFY], cwd=ROOT, env=env_for(database_url), input=json.dumps(action_ids),
                            capture_output=True, text=True, check=True)
    return {int(k): v for k, v in json.loads(result.stdout.strip().splitlines()[-1]).items()}




def import_worker(database_url: str, barrier, queue) -> None:
    os.environ.update(env_for(database_url))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from datetime import date

    from django.core.exceptions import ValidationError

    from inspections.models import LocalAuthority
    from inspections.services import DuplicateImport
    from findings.services import FindingInput, InspectionInput, inspection_import

    data = InspectionInput(
        authority=LocalAuthority.objects.get(slug="wigan"), kind="focused_visit",
        visit_start=date(2024, 5, 14), visit_end=date(2024, 5, 15), published_on=date(2024, 6, 20),
        inspectors=["Bench Inspector"], focus_area="front_door", headline="Reliability bench letter.",
        findings=[FindingInput(text="The timeliness of strategy meetings.")],
    )
    barrier.wait()
    try:
        inspection = inspection_import(data=data, source=b"%PDF-1.4 identical letter", filename="letter.pdf", user=None)
        queue.put(("saved", inspection.pk))
    except DuplicateImport as exc:
        queue.put(("duplicate", exc.message))
    except ValidationError as exc:
        queue.put(("refused", "; ".join(exc.messages)))


def run_identical_imports(database_url: str, copies: int = 2) -> tuple[list, int]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(copies)
    queue = context.Queue()
    processes = [context.Process(target=import_worker, args=(database_url, barrier, queue)) for _ in range(copies)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    outcomes = [queue.get(timeout=5) for _ in processes]
    check = subprocess.run(
        [PYTHON, "-c", "import django; django.setup(); from inspections.models import Inspection; "
         "print(Inspection.objects.filter(authority__slug='wigan', visit_start='2024-05-14').count())"],
        cwd=ROOT, env=env_for(database_url), capture_output=True, text=True, check=True,
    )
    return outcomes, int(check.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/tracker_reliability")
    parser.add_argument("--port", type=int, default=8018)
    parser.add_argument("--threads", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--max-seconds", type=float, default=120)
    args = parser.parse_args()

    prepare_database(args.database_url)
    ids_out = subprocess.run(
        [PYTHON, "-c", "import django; django.setup(); from actions.models import Action; "
         "print(list(Action.objects.filter(finding__inspection__authority__slug='barnsley', status='in_progress')"
         ".order_by('pk').values_list('pk', flat=True)[:3]))"],
        cwd=ROOT, env=env_for(args.database_url), capture_output=True, text=True, check=True,
    )
    action_ids = json.loads(ids_out.stdout.strip().splitlines()[-1])
    before = verify(args.database_url, action_ids)
    server = start_gunicorn(args.database_url, args.port)
    try:
        started = time.monotonic()
        results = run_updates(f"http://127.0.0.1:{args.port}", action_ids, args.threads, args.rounds, args.max_seconds)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(10)
    after = verify(args.database_url, action_ids)

    outcomes = Counter(r[0] for r in results)
    accepted_notes = {r[3] for r in results if r[0] == "accepted"}
    refused_notes = {r[3] for r in results if r[0] != "accepted"}
    found_notes = [note for pk in action_ids for note in after[pk]["notes"]]
    problems = []
    lost = accepted_notes - set(found_notes)
    if lost:
        problems.append(f"{len(lost)} accepted updates are missing from history")
    if len(found_notes) != len(set(found_notes)):
        problems.append("an update was recorded twice")
    if refused_notes & set(found_notes):
        problems.append(f"{len(refused_notes & set(found_notes))} refused updates were written anyway")
    for pk in action_ids:
        versions = after[pk]["versions"]
        if versions != list(range(1, after[pk]["version"] + 1)):
            problems.append(f"action {pk}: history versions are not 1..{after[pk]['version']}")
        gained = after[pk]["version"] - before[pk]["version"]
        accepted_here = sum(1 for r in results if r[0] == "accepted" and r[1] == pk)
        if gained != accepted_here:
            problems.append(f"action {pk}: version rose by {gained} for {accepted_here} accepted saves")

    imports, saved_inspections = run_identical_imports(args.database_url)
    if saved_inspections != 1 or sum(1 for o in imports if o[0] == "saved") != 1:
        problems.append(f"identical imports saved {saved_inspections} inspections: {imports}")

    print(f"updates sent:          {len(results)} ({args.threads} threads x up to {args.rounds}, {len(action_ids)} actions, "
          f"{elapsed:.1f} s, gunicorn 2 workers x 4 threads, PostgreSQL)")
    print(f"accepted:              {outcomes['accepted']}")
    print(f"conflicts (409):       {outcomes['conflict']}")
    other = {k: v for k, v in outcomes.items() if k not in ('accepted', 'conflict')}
    print(f"other answers:         {other or 0}")
    print(f"found in history:      {len(accepted_notes & set(found_notes))}")
    print(f"lost:                  {len(lost)}")
    print(f"versions contiguous:   {all(after[pk]['versions'] == list(range(1, after[pk]['version'] + 1)) for pk in action_ids)}")
    print(f"identical imports:     {len(imports)} at once -> {saved_inspections} inspection saved; "
          f"others: {[o[0] + ': ' + str(o[1]) for o in imports if o[0] != 'saved']}")
    if problems:
        print("FAILED:\n  " + "\n  ".join(problems))
        return 1
    print("OK: every accepted update is in the history, none lost or overwritten.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
