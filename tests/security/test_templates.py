"""No inline script or style in any template: the Content-Security-Policy forbids them, so they would break."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
STYLE_BLOCK = re.compile(r"<style\b", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"(href|src|action)\s*=\s*[\"']\s*javascript:", re.I)


def template_dirs() -> list[Path]:
    dirs = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    for app in ("accounts", "inspections", "findings", "actions", "dashboards", "config"):
        candidate = settings.BASE_DIR / app / "templates"
        if candidate.is_dir():
            dirs.append(candidate)
    return dirs


def all_templates():
    for directory in template_dirs():
        for path in sorted(directory.rglob("*.html")):
            yield path.relative_to(settings.BASE_DIR), path.read_text(encoding="utf-8")


def test_there_are_templates_to_scan():
    assert len(list(all_templates())) > 10


def test_no_inline_script_without_a_nonce():
    offenders = []
    for path, text in all_templates():
        for tag in INLINE_SCRIPT.findall(text):
            if "nonce=" not in tag and "application/json" not in tag:
                offenders.append(f"{path}: {tag}")
    assert not offenders, "inline <script> without src or nonce:\n" + "\n".join(offenders)


def test_no_style_attributes_or_style_blocks():
    offenders = [
        f"{path}: {match.group(0)[:80]}"
        for path, text in all_templates()
        for pattern in (STYLE_ATTRIBUTE, STYLE_BLOCK)
        for match in pattern.finditer(text)
    ]
    assert not offenders, "inline styles (move them to assets/scss/_tracker.scss):\n" + "\n".join(offenders)


def test_no_inline_event_handlers_or_javascript_urls():
    offenders = [
        f"{path}: {match.group(0)[:80]}"
        for path, text in all_templates()
        for pattern in (EVENT_HANDLER, JAVASCRIPT_URL)
        for match in pattern.finditer(text)
    ]
    assert not offenders, "inline JavaScript (use static/js/*.js and data- attributes):\n" + "\n".join(offenders)
