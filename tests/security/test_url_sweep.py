"""Deny by default: every URL pattern in the project, walked from the URLconf, as anonymous and as every role
of ANOTHER authority (Barnet), with path parameters filled with real ids of Barnsley's data.

- Anonymous: a redirect to sign-in, except a short allowlist of public pages.
- Barnet users: a URL naming a Barnsley object answers 403, 404 or 405 (the admin may instead redirect to
  its index or login page); no page at all may show Barnsley's data (its name, finding text, action titles,
  headlines, or the names of Barnsley-only staff).
- POST to every pattern, as each Barnet role with a valid CSRF token: the database does not change.

A new URL is covered automatically. If its path has a parameter this file cannot map to a real Barnsley
object, the test FAILS and says which mapping to add (see PARAMETER_MAKERS / PK_MODEL_BY_NAME).
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from functools import cache

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

from accounts.models import Role
from accounts.services import user_provision
from datasets.demo.data import DEMO_PASSWORD
from actions.models import Action
from findings.models import Finding
from inspections.models import Inspection, LocalAuthority

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"accounts", "inspections", "findings", "actions", "dashboards", "api"}
# Public pages: everything else must send a signed-out visitor to sign-in.
ANONYMOUS_ALLOWED = {"login", "healthz", "accessibility", "help", "admin:login",
                     # Signing in another way: the council's single sign-on (404 while it is not set up) and
                     # password reset (the same answer for every address).
                     "oidc_authentication_init", "oidc_authentication_callback", "accounts:password_reset",
                     "accounts:password_reset_done", "accounts:password_reset_confirm",
                     "accounts:password_reset_complete"}
# Pages that show every council by design: Ofsted's published grades (public information), never the
# tracker's own findings, actions or notes. They are still swept for server errors.
PUBLIC_ACROSS_COUNCILS = {"dashboards:national"}
# Tables whose rows signing in itself writes; the POST sweep ignores them.
WRITTEN_BY_SIGN_IN = {"sessions.session", "accounts.signinevent", "axes.accessattempt", "axes.accesslog",
                      "axes.accessfailurelog", "axes.accessattemptexpiration"}


# --- walking the URLconf --------------------------------------------------------------------------------


@dataclass
class Endpoint:
    name: str  # "namespace:name", or the route itself for unnamed patterns
    chain: list = field(default_factory=list)  # the patterns from the root to the leaf
    callback: object = None
    namespaces: tuple = ()

    @property
    def namespace(self) -> str:
        return self.namespaces[0] if self.namespaces else ""

    @property
    def url_name(self) -> str:
        return self.name.rsplit(":", 1)[-1]

    @property
    def kwarg_names(self) -> list[str]:
        names = []
        for pattern in self.chain:
            if isinstance(pattern, RoutePattern):
                names += list(pattern.converters)
            else:
                names += list(pattern.regex.groupindex)
        return names


def walk(patterns=None, chain=(), namespaces=()) -> list[Endpoint]:
    endpoints = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            spaces = namespaces + ((entry.namespace,) if entry.namespace else ())
            endpoints += walk(entry.url_patterns, chain + (entry.pattern,), spaces)
        elif isinstance(entry, URLPattern):
            full_chain = list(chain) + [entry.pattern]
            name = ":".join(namespaces + (entry.name,)) if entry.name else "".join(map(str, full_chain))
            endpoints.append(Endpoint(name=name, chain=full_chain, callback=entry.callback, namespaces=namespaces))
    return endpoints


def _fill_regex(regex: str, values: dict[str, str]) -> str:
    """Turn a regex pattern with named groups into a concrete path; refuse anything still regex-like."""
    out, i = [], 0
    regex = regex.lstrip("^").rstrip("$").replace("\\Z", "")
    while i < len(regex):
        if regex.startswith("(?P<", i):
            name = regex[i + 4 : regex.index(">", i)]
            depth, j = 0, i
            while True:
                depth += {"(": 1, ")": -1}.get(regex[j], 0) if regex[j - 1 : j] != "\\" else 0
                j += 1
                if depth == 0:
                    break
            out.append(values[name])
            i = j
        elif regex[i] == "\\":
            out.append(regex[i + 1])
            i += 2
        else:
            out.append(regex[i])
            i += 1
    path = "".join(out)
    assert not re.search(r"[()\[\]*+?|{}]", path), f"cannot build a path from the regex {regex!r}"
    return path


def build_path(endpoint: Endpoint, values: dict[str, str]) -> str:
    parts = []
    for pattern in endpoint.chain:
        if isinstance(pattern, RoutePattern):
            parts.append(re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], str(pattern._route)))
        elif isinstance(pattern, RegexPattern):
            parts.append(_fill_regex(pattern.regex.pattern, values))
        else:
            pytest.fail(f"{endpoint.name}: unknown pattern type {type(pattern).__name__}")
    return "/" + "".join(parts)


# --- Barnsley objects for path parameters ---------------------------------------------------------------


def _authority_path(model, depth=0, seen=()) -> str | None:
    """The ORM lookup from a model to its LocalAuthority, through forward foreign keys (or None)."""
    if model is LocalAuthority:
        return "id"
    if depth > 5:
        return None
    candidates = []
    for f in model._meta.get_fields():
        if isinstance(f, models.ForeignKey) and f.related_model not in seen and f.name not in ("repeats",):
            if f.related_model is LocalAuthority:
                return f.name
            if f.related_model._meta.app_label in PROJECT_APPS:
                rest = _authority_path(f.related_model, depth + 1, seen + (model,))
                if rest is not None:
                    candidates.append(f"{f.name}__{rest}".removesuffix("__id"))
    if not candidates:
        # Objects owned by a user (e.g. an import draft): the user's authority.
        for f in model._meta.get_fields():
            if isinstance(f, models.ForeignKey) and f.related_model is get_user_model():
                return f"{f.name}__memberships__authority"
        return None
    return min(candidates, key=len)


def barnsley_instance(model):
    path = _authority_path(model)
    if path is None:
        return None
    queryset = model._default_manager.filter(**{path: barnsley_authority().pk})
    if path.endswith("memberships__authority"):
        # Owned by someone who is in Barnsley only, so no Barnet user may legitimately reach it.
        user_field = path.split("__")[0]
        queryset = queryset.exclude(**{f"{user_field}__memberships__authority__name": "Barnet"})
    instance = queryset.order_by("pk").first()
    return instance or _make_barnsley(model)


def barnsley_authority() -> LocalAuthority:
    return LocalAuthority.objects.get(name="Barnsley")


def _make_barnsley(model):
    """Objects the demo does not hold: made here so their URLs are swept with a real id."""
    label = model._meta.label_lower
    if label == "inspections.importdraft":
        from datetime import timedelta

        from django.utils import timezone

        return model._default_manager.create(
            token="sweep-" + "a" * 40,
            user=get_user_model().objects.get(username="lead"),
            source_name="letters/sweep.pdf",
            source_filename="barnsley-letter.pdf",
            source_sha256="0" * 64,
            parsed={"authority": "Barnsley", "headline": "Barnsley draft headline"},
            expires_at=timezone.now() + timedelta(days=1),
        )
    if label == "api.apitoken":
        from api.services import token_create

        return token_create(user=get_user_model().objects.get(username="lead"), name="Barnsley board report")[0]
    if label == "actions.evidence":
        from django.core.files.base import ContentFile

        from actions.services import action_change

        action = Action.objects.filter(finding__inspection__authority__name="Barnsley").order_by("pk").first()
        upload = ContentFile(b"%PDF-1.4 Barnsley evidence", name="barnsley-audit.pdf")
        result = action_change(
            action=action, user=get_user_model().objects.get(username="lead"), expected_version=action.version,
            changes={}, evidence_files=[upload],
        )
        return result.update.evidence_items.get()
    return None


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}


def project_models():
    return [m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS]


def model_for_pk(endpoint: Endpoint, kwarg: str):
    """Which model a "pk"-like kwarg names: from the kwarg (action_pk), the URL name, then the namespace."""
    by_name = {m._meta.model_name: m for m in project_models()}
    by_snake = {re.sub(r"(?<!^)(?=[A-Z])", "_", m.__name__).lower(): m for m in project_models()}
    stem = kwarg.removesuffix("_pk").removesuffix("_id")
    if stem in by_snake or stem in by_name:
        return by_snake.get(stem) or by_name[stem]
    if endpoint.namespace == "admin":
        return admin_model(endpoint)
    # The literal segment before the parameter: "inspections/<int:pk>/action-plan/" names an inspection.
    route = "".join(str(p) for p in endpoint.chain if isinstance(p, RoutePattern))
    before = re.search(r"([\w-]+)/<(?:\w+:)?" + re.escape(kwarg) + ">", route)
    if before:
        segment = before.group(1).replace("-", "_")
        for stem in (segment, segment.removesuffix("s"), re.sub("ies$", "y", segment)):
            if stem in by_snake:
                return by_snake[stem]
    words = endpoint.url_name
    for snake, model in sorted(by_snake.items(), key=lambda item: -len(item[0])):
        # The API's router names its routes "action-detail", "action-position".
        if words == snake or words.startswith((snake + "_", snake + "-")):
            return model
    default = {"actions": Action, "inspections": Inspection, "findings": Finding}.get(endpoint.namespace)
    return default


@cache
def _admin_models():
    from django.contrib import admin

    return {f"{m._meta.app_label}_{m._meta.model_name}": m for m in admin.site._registry}


def admin_model(endpoint: Endpoint):
    for prefix, model in sorted(_admin_models().items(), key=lambda item: -len(item[0])):
        if endpoint.url_name.startswith(prefix + "_"):
            return model
    # Unnamed admin patterns (the old-style "<object_id>/" redirect): the model is in the route.
    route = "".join(str(p) for p in endpoint.chain[1:2])
    return _admin_models().get(route.strip("/").replace("/", "_"))


class UnmappedParameter(Exception):
    pass


def parameter_values(endpoint: Endpoint) -> tuple[dict[str, str], bool]:
    """Values for the endpoint's kwargs, and whether they name Barnsley objects (a scoped URL)."""
    values, scoped = {}, False
    from django.contrib.contenttypes.models import ContentType

    if endpoint.url_name == "password_reset_confirm":
        # A public page: a Barnsley person's id with a token that is not theirs shows "link no longer works".
        from django.utils.encoding import force_bytes
        from django.utils.http import urlsafe_base64_encode

        viewer = get_user_model().objects.get(username="viewer")
        return {"uidb64": urlsafe_base64_encode(force_bytes(viewer.pk)), "token": "set-password"}, False
    for kwarg in endpoint.kwarg_names:
        if endpoint.namespace == "accounts" and kwarg == "pk":
            # People pages: a person in Barnsley only, whom no Barnet user may see or change.
            values[kwarg], scoped = str(get_user_model().objects.get(username="viewer").pk), True
        elif endpoint.namespace == "accounts" and kwarg == "change":
            values[kwarg] = "deactivate"
        elif kwarg in ("slug", "authority_slug", "authority"):
            values[kwarg], scoped = "barnsley", True
        elif kwarg == "app_label":
            values[kwarg] = "inspections"
        elif kwarg == "url":  # the admin's catch-all
            values[kwarg] = "no-such-page/"
        elif kwarg == "content_type_id":
            values[kwarg] = str(ContentType.objects.get_for_model(Inspection).pk)
        elif kwarg == "object_id" and endpoint.url_name == "view_on_site":
            values[kwarg], scoped = str(barnsley_instance(Inspection).pk), True
        elif kwarg == "token":
            owners = [m for m in project_models() if any(f.name == "token" for f in m._meta.fields)]
            instance = next((barnsley_instance(m) for m in owners if barnsley_instance(m)), None)
            if instance is None:
                raise UnmappedParameter(f"{endpoint.name}: no Barnsley object with a token to put in the URL")
            values[kwarg], scoped = str(instance.token), True
        elif kwarg in ("pk", "id", "object_id") or kwarg.endswith(("_pk", "_id")):
            model = model_for_pk(endpoint, kwarg)
            if model is None:
                raise UnmappedParameter(f"{endpoint.name}: cannot tell which model {kwarg!r} names")
            instance = barnsley_instance(model)
            if instance is None:
                if _authority_path(model) is None:
                    # Not authority data (themes, users, groups...): any existing row will do.
                    # (An empty table, e.g. axes' failure log when it is off, gets an id that exists nowhere.)
                    instance = model._default_manager.order_by("pk").first()
                    values[kwarg] = str(instance.pk) if instance is not None else "987654321"
                    continue
                raise UnmappedParameter(
                    f"{endpoint.name}: no Barnsley {model.__name__} in the demo; add a maker to _make_barnsley"
                )
            values[kwarg], scoped = str(instance.pk), True
        else:
            raise UnmappedParameter(
                f"{endpoint.name}: the URL parameter {kwarg!r} is new to the security sweep; map it to a real "
                "Barnsley object in tests/security/test_url_sweep.py (parameter_values)"
            )
    return values, scoped


def sweep_targets() -> list[tuple[Endpoint, str, bool]]:
    targets, unmapped = [], []
    for endpoint in walk():
        try:
            values, scoped = parameter_values(endpoint)
        except UnmappedParameter as exc:
            unmapped.append(str(exc))
            continue
        path = build_path(endpoint, values)
        match = resolve(path)
        assert match.func == endpoint.callback or endpoint.name.startswith("admin:"), (
            f"{endpoint.name}: built {path} but it resolves to {match.view_name}"
        )
        targets.append((endpoint, path, scoped))
    if unmapped:
        pytest.fail("URLs the sweep cannot fill with real ids:\n" + "\n".join(unmapped))
    return targets


# --- what Barnsley's data looks like ---------------------------------------------------------------------


def barnsley_markers() -> list[str]:
    markers = ["Barnsley"]
    markers += [f.text[:60] for f in Finding.objects.filter(inspection__authority__name="Barnsley")]
    markers += list(Action.objects.filter(finding__inspection__authority__name="Barnsley").values_list("title", flat=True))
    markers += [i.headline[:60] for i in Inspection.objects.filter(authority__name="Barnsley") if i.headline]
    barnsley_only = get_user_model().objects.filter(memberships__authority__name="Barnsley").exclude(
        memberships__authority__name="Barnet"
    )
    markers += [u.get_full_name() for u in barnsley_only if u.get_full_name()]
    return markers


def leaked(response, markers) -> list[str]:
    body = html.unescape(b"".join(response) .decode("utf-8", errors="ignore") if response.streaming else response.content.decode("utf-8", errors="ignore"))
    return [marker for marker in markers if marker in body]


# --- users of another authority ---------------------------------------------------------------------------


def barnet_users() -> dict[str, object]:
    barnet = LocalAuthority.objects.get(name="Barnet")
    users = {}
    for role in Role:
        slug = re.sub(r"\W+", "-", role.value.lower())
        user = user_provision(
            username=f"barnet-{slug}-sweep",
            password="sweep-password-1234",
            role=role.value,
            authorities=[barnet],
            first_name="Sweep",
            last_name=role.label,
            is_staff=role == Role.ADMIN,
        )
        if role == Role.ADMIN:
            # The same rights the demo's council admin has: everything in the project's apps except
            # rewriting history.
            user.user_permissions.set(
                Permission.objects.filter(content_type__app_label__in=PROJECT_APPS).exclude(
                    codename__in=["change_actionupdate", "delete_actionupdate", "add_actionupdate"]
                )
            )
        users[role.value] = user
    return users


def database_fingerprint() -> str:
    digest = hashlib.sha256()
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label_lower):
        if model._meta.label_lower in WRITTEN_BY_SIGN_IN or model._meta.proxy:
            continue
        rows = model._default_manager.order_by("pk").values_list()
        digest.update(model._meta.label_lower.encode())
        digest.update(repr(list(rows)).encode())
    return digest.hexdigest()


def fingerprint_by_model() -> dict[str, str]:
    return {
        m._meta.label_lower: hashlib.sha256(repr(list(m._default_manager.order_by("pk").values_list())).encode()).hexdigest()
        for m in apps.get_models()
        if m._meta.label_lower not in WRITTEN_BY_SIGN_IN and not m._meta.proxy
    }


def hostile_post_data(endpoint: Endpoint) -> dict:
    """A plausible change for any form: fields of action updates, imports, and the admin's bulk delete."""
    data = {
        "version": "1", "expected_version": "1", "status": "closed", "rag": "red", "title": "Changed by Barnet",
        "note": "Changed by Barnet", "progress_notes": "Changed by Barnet", "text": "Changed by Barnet",
        "confirm": "yes", "post": "yes", "action": "delete_selected", "index": "0",
    }
    model = admin_model(endpoint) if endpoint.namespace == "admin" else None
    if model is not None and _authority_path(model):
        path = _authority_path(model)
        data["_selected_action"] = [
            str(pk) for pk in model._default_manager.filter(**{path: barnsley_authority().pk}).values_list("pk", flat=True)
        ]
    return data


def csrf_client(user=None) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.get("/sign-in/")  # sets the CSRF cookie; the token stays valid after signing in
    if user is not None:
        client.force_login(user)
    return client, client.cookies["csrftoken"].value


# --- the tests ----------------------------------------------------------------------------------------------


@pytest.fixture
def demo(demo):
    """The demo, plus a real failed and a real successful sign-in by a Barnsley user, so the sign-in audit
    and django-axes' admin pages have Barnsley rows to sweep."""
    client = Client()
    client.post("/sign-in/", {"username": "lead", "password": DEMO_PASSWORD})
    client.post("/sign-out/")
    client.post("/sign-in/", {"username": "lead", "password": "not-the-password"})
    return demo


def test_the_sweep_sees_the_whole_urlconf(demo):
    """Guards the walker itself: the app's pages and the admin are all in the sweep."""
    targets = sweep_targets()
    names = {endpoint.name for endpoint, _, _ in targets}
    assert {"login", "healthz", "inspections:inspection_detail", "actions:action_detail",
            "admin:inspections_inspection_change", "admin:actions_actionupdate_changelist"} <= names
    scoped = [e.name for e, _, s in targets if s]
    assert "inspections:authority_detail" in scoped and "admin:actions_action_change" in scoped
    assert "admin:accounts_signinevent_change" in scoped
    # The read-only API and the API tokens pages.
    assert {"api:action-detail", "api:action-position", "api:finding-detail", "api:inspection-detail",
            "api:judgement-detail", "api:council-detail", "api:dashboard", "api:token_revoke"} <= set(scoped)
    assert {"api:action-list", "api:action-positions", "api:schema", "api:swagger", "api:guide", "api:tokens"} <= names


def test_anonymous_visitors_are_sent_to_sign_in_everywhere(demo):
    markers = barnsley_markers()
    client = Client(raise_request_exception=False)
    problems = []
    for endpoint, path, _ in sweep_targets():
        response = client.get(path)
        if leaked(response, markers):
            problems.append(f"{endpoint.name} {path}: shows {leaked(response, markers)[:2]}")
        if endpoint.name in ANONYMOUS_ALLOWED:
            continue
        if _is_api(endpoint) and response.status_code != 302:
            # The API answers a request without a token or session 401 (and says how: WWW-Authenticate).
            if response.status_code != 401 or response.get("WWW-Authenticate") != "Token":
                problems.append(f"{endpoint.name} {path}: {response.status_code}, not 401 with WWW-Authenticate")
            continue
        location = response.get("Location", "")
        # The admin guards itself and sends visitors to its own sign-in form (axes and the audit cover it too).
        sign_in = ("/sign-in/?next=", "/admin/login/?next=") if endpoint.namespace == "admin" else ("/sign-in/?next=",)
        if response.status_code != 302 or not location.startswith(sign_in):
            problems.append(f"{endpoint.name} {path}: {response.status_code} {location}, not a redirect to sign-in")
    assert not problems, "\n".join(problems)


def _is_api(endpoint: Endpoint) -> bool:
    """A Django REST framework view (the read-only API), which answers JSON, never a sign-in redirect."""
    from rest_framework.views import APIView

    view_class = getattr(endpoint.callback, "cls", None)
    return isinstance(view_class, type) and issubclass(view_class, APIView)


ROLES = [role.value for role in Role]


@pytest.mark.parametrize("role", ROLES)
def test_another_authoritys_users_never_see_barnsley(demo, role):
    user = barnet_users()[role]
    markers = barnsley_markers()
    targets = sweep_targets()
    client = Client(raise_request_exception=False)
    client.force_login(user)
    before = database_fingerprint()
    problems, checked = [], 0
    for endpoint, path, scoped in targets:
        if endpoint.name == "logout":
            continue  # only accepts POST; swept below
        response = client.get(path)
        checked += 1
        found = [] if endpoint.name in PUBLIC_ACROSS_COUNCILS else leaked(response, markers)
        if found:
            problems.append(f"{endpoint.name} {path}: {response.status_code} shows Barnsley data {found[:2]}")
        if response.status_code >= 500:
            problems.append(f"{endpoint.name} {path}: server error {response.status_code}")
        if scoped and not refused(endpoint, response, client, markers):
            problems.append(f"{endpoint.name} {path}: answered {response.status_code} for a Barnsley object")
    assert checked > 20
    assert not problems, f"as a Barnet {role}:\n" + "\n".join(problems)
    assert database_fingerprint() == before, "a GET changed the database"


def refused(endpoint: Endpoint, response, client, markers) -> bool:
    """403/404/405, or a redirect elsewhere that (followed) is refused too or shows nothing of Barnsley.

    The admin sends an out-of-scope object to its index and non-staff to its login; its old "<id>/" URL
    and "view on site" redirect to the object's own page, which must then refuse; an import preview whose
    draft is not the user's restarts the import.
    """
    if response.status_code in (403, 404, 405):
        return True
    if response.status_code != 302:
        return False
    requested = response.wsgi_request.get_full_path()
    followed = client.get(response["Location"], follow=True)
    if followed.status_code in (403, 404, 405):
        return True
    final = followed.wsgi_request.get_full_path()
    return followed.status_code == 200 and final != requested and not leaked(followed, markers)


@pytest.mark.parametrize("role", ROLES)
def test_another_authoritys_posts_change_nothing(demo, role):
    user = barnet_users()[role]
    markers = barnsley_markers()
    targets = sweep_targets()
    client, token = csrf_client(user)
    before = fingerprint_by_model()
    problems = []
    for endpoint, path, scoped in targets:
        if endpoint.name in ("logout", "admin:logout"):
            continue  # signing out changes only the session; the sign-out tests cover it
        response = client.post(path, hostile_post_data(endpoint), HTTP_X_CSRFTOKEN=token)
        if response.status_code == 403 and b"CSRF verification failed" in response.content:
            problems.append(f"{endpoint.name} {path}: the CSRF token was refused, so the sweep proved nothing")
        if response.status_code >= 500:
            problems.append(f"{endpoint.name} {path}: server error {response.status_code}")
        if scoped and not refused(endpoint, response, client, markers):
            problems.append(f"{endpoint.name} {path}: POST answered {response.status_code} for a Barnsley object")
        found = leaked(response, markers)
        if found:
            problems.append(f"{endpoint.name} {path}: POST response shows {found[:2]}")
        after = fingerprint_by_model()
        if after != before:
            changed = sorted(label for label in after if after[label] != before.get(label))
            problems.append(f"{endpoint.name} {path}: POST changed {changed}")
            before = after
    assert not problems, f"as a Barnet {role}:\n" + "\n".join(problems)


def test_anonymous_posts_change_nothing(demo):
    targets = sweep_targets()
    client, token = csrf_client()
    before = fingerprint_by_model()
    for endpoint, path, _ in targets:
        response = client.post(path, hostile_post_data(endpoint), HTTP_X_CSRFTOKEN=token)
        after = fingerprint_by_model()
        changed = sorted(label for label in after if after[label] != before[label])
        assert not changed, f"{endpoint.name} {path}: an anonymous POST changed {changed}"
        if endpoint.name in ANONYMOUS_ALLOWED:
            continue
        assert response.status_code in (302, 403, 405), f"{endpoint.name} {path}: {response.status_code}"
