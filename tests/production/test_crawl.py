"""The production crawl's authenticator code is the one an app shows (RFC 6238's own test vector), and
its key is the demo's, so the crawl passes the second step that production asks of admins and partners."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from datasets.demo.data import DEMO_TOTP_KEY

ROOT = Path(__file__).resolve().parent.parent.parent
_spec = importlib.util.spec_from_file_location("production_crawl", ROOT / "scripts" / "production_crawl.py")
crawl = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(crawl)


def test_the_code_is_rfc_6238s_for_its_test_key():
    # RFC 6238 appendix B, SHA-1, key "12345678901234567890": 94287082 at 59 s, 07081804 at 1111111109 s.
    assert crawl.totp("3132333435363738393031323334353637383930", at=59) == "287082"
    assert crawl.totp("3132333435363738393031323334353637383930", at=1111111109) == "081804"


def test_the_crawl_uses_the_demo_key():
    assert crawl.DEMO_TOTP_KEY == DEMO_TOTP_KEY
