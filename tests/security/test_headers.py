"""Security headers on real responses, `check --deploy` under production settings, and production's refusal
to start without a secret key and allowed hosts."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

PRODUCTION_ENV = {
    "APP_ENV": "production",
    "SECRET_KEY": "p" * 20 + "-production-secret-for-the-deploy-check-" + "q" * 20,
    "ALLOWED_HOSTS": "example.org",
}


def run_manage(*args: str, env: dict[str, str], drop: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    # The test harness's own DJANGO_ALLOW_ASYNC_UNSAFE (for Playwright) is not part of a deployment.
    dropped = ("APP_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    environment.update(env)
    for name in drop:
        environment.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=environment,
        capture_output=True, text=True, timeout=120,
    )


def csp_directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


@pytest.fixture
def pages(client, demo):
    anonymous = client.get(reverse("login"))
    client.force_login(demo["lead"])
    return {
        "sign-in": anonymous,
        "authority": client.get(reverse("inspections:authority_detail", kwargs={"slug": "barnsley"})),
        "not found": client.get("/no-such-page/"),
    }


def test_content_security_policy_forbids_inline_code_and_framing(pages):
    for name, response in pages.items():
        directives = csp_directives(response)
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], name
        assert "'unsafe-eval'" not in response["Content-Security-Policy"], name
        assert directives["default-src"] == "default-src 'self'", name
        assert "'nonce-" in directives["script-src"], name
        assert directives["style-src"] == "style-src 'self'", name
        assert directives["frame-ancestors"] == "frame-ancestors 'none'", name
        assert directives["object-src"] == "object-src 'none'", name


def test_the_one_inline_script_carries_the_nonce_of_the_header(pages):
    response = pages["authority"]
    nonce = csp_directives(response)["script-src"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in response.content.decode()


def test_other_security_headers(pages):
    for name, response in pages.items():
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "same-origin", name
        assert response["X-Frame-Options"] == "DENY", name
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", name


def test_debug_is_off_and_errors_show_no_stack_trace(client, demo):
    assert settings.DEBUG is False
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "Traceback" not in response.content.decode()


PRODUCTION_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="example.org")
secure = client.get("/sign-in/", secure=True)
plain = client.get("/sign-in/")
print(json.dumps({
    "hsts": secure.get("Strict-Transport-Security"),
    "secure_cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
    "plain_status": plain.status_code, "plain_location": plain.get("Location"),
    "csp": secure.get("Content-Security-Policy"), "debug": settings.DEBUG,
}))
"""


def test_production_sends_hsts_and_redirects_to_https():
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120,
        env={**{k: v for k, v in os.environ.items() if k != "DEBUG"}, **PRODUCTION_ENV,
             "DJANGO_SETTINGS_MODULE": "config.settings", "STATIC_MANIFEST": "false"},  # no collectstatic here
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert probe["secure_cookies"] == [True, True]
    assert probe["plain_status"] == 301 and probe["plain_location"] == "https://example.org/sign-in/"
    assert "'unsafe-inline'" not in probe["csp"] and probe["debug"] is False


def test_check_deploy_is_clean_under_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing):
    result = run_manage("check", env=PRODUCTION_ENV, drop=(missing,))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and missing in result.stderr


def test_production_refuses_a_short_secret_key_and_debug():
    assert run_manage("check", env={**PRODUCTION_ENV, "SECRET_KEY": "too-short"}).returncode != 0
    result = run_manage("check", env={**PRODUCTION_ENV, "DEBUG": "true"})
    assert result.returncode != 0 and "DEBUG must be off" in result.stderr
