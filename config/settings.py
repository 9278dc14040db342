"""Settings for the Inspection Findings Tracker: one module, driven by the environment.

APP_ENV=development (the default) runs with no set-up on SQLite. APP_ENV=production refuses to start
without SECRET_KEY and ALLOWED_HOSTS, and turns on the secure-cookie and HSTS settings.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


APP_ENV = os.environ.get("APP_ENV", "development")
PRODUCTION = APP_ENV == "production"

DEBUG = env_bool("DEBUG", default=False)

if PRODUCTION:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("Production needs SECRET_KEY (50+ characters) in the environment.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Production needs ALLOWED_HOSTS in the environment.")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production.")
else:
    SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-key-not-for-production-use-0123456789")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "mozilla_django_oidc",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from static/ (never a CDN)
    "accounts",
    "inspections",
    "findings",
    "actions",
    "dashboards",
    "search",
    "api",
    "datasets",
    "django.forms",  # Django's own widget templates, found by the form renderer through TEMPLATES
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.RequestSizeLimitMiddleware",
    "config.middleware.PrivatePagesMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# Every form renders its fields through one GOV.UK field template (templates/components/field.html).
FORM_RENDERER = "core.forms.GovukFormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "config.context_processors.service",
            ],
            # {% fragment %}: a page's repeated parts rendered by Jinja2 (core/jinja.py).
            "libraries": {"fragments": "core.fragments"},
        },
    },
]

# Filters of the apps that Jinja2 fragments use too (core/jinja.py), by dotted path.
JINJA2_FILTERS = {
    "grade_tag": "dashboards.templatetags.grades.grade_tag",
}

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast when PostgreSQL is unreachable, so pages answer 503 instead of hanging.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 3
    # Every choice list of a form (owners, visits, themes) is read with QuerySet.iterator(), which on
    # PostgreSQL declares a server-side cursor: three round trips and a held result for a few dozen rows,
    # on every filter of every list page. Plain client-side reads instead; this is also what a connection
    # pooler in transaction mode (PgBouncer) needs between the app servers and the database.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

# The data cache (core/datacache.py): council figures kept under each council's data revision, so a
# change shows at once and the timeout only bounds how long an entry is kept. With REDIS_URL it is Redis,
# shared by every app server (and a Redis that is down is a miss, logged, never an error page); without
# it each process keeps its own in memory, so `make run` and the SQLite default need no Redis.
REDIS_URL = os.environ.get("REDIS_URL", "")
DATA_CACHE_SECONDS = int(os.environ.get("DATA_CACHE_SECONDS", "3600"))
# Two databases that share a Redis (development, benchmarks) never read each other's council figures.
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", str(DATABASES["default"].get("NAME", "")).rsplit("/", 1)[-1])
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": DATA_CACHE_SECONDS,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                # Fail fast and answer from the database when Redis is down.
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    # Logged at ERROR through the django_redis.cache logger when a cache call fails.
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    # Sessions read from the shared Redis first and written through to the database, so every app server
    # sees a sign-in or a sign-out at once and a Redis that is down falls back to the database. Without
    # Redis each process's cache is its own, where a sign-out on one would not reach the others: the
    # database alone, Django's default.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "data",
            "TIMEOUT": DATA_CACHE_SECONDS,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            # A council's dashboard figures are 20-100 KB pickled: at most about 100 MB a process.
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("DATA_CACHE_ENTRIES", "2000"))},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Covering indexes (INCLUDE) are a PostgreSQL optimisation; SQLite builds them without the extra columns.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "accounts.oidc.CouncilOIDCBackend",
]

# Single sign-on with a council's identity provider (Microsoft Entra ID, or any OpenID Connect provider):
# authorization code flow with PKCE and nonce (mozilla-django-oidc). Off unless OIDC_ISSUER and
# OIDC_CLIENT_ID are set; see docs/operations.md for registering the app in a council's Entra ID tenant.
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").rstrip("/")
OIDC_ENABLED = bool(OIDC_ISSUER and os.environ.get("OIDC_CLIENT_ID"))
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
# Endpoints default to Entra ID's v2.0 layout under the issuer's tenant; any provider can set its own.
_OIDC_BASE = OIDC_ISSUER.removesuffix("/v2.0")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_AUTHORIZATION_ENDPOINT", f"{_OIDC_BASE}/oauth2/v2.0/authorize")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_TOKEN_ENDPOINT", f"{_OIDC_BASE}/oauth2/v2.0/token")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_JWKS_ENDPOINT", f"{_OIDC_BASE}/discovery/v2.0/keys")
OIDC_OP_USER_ENDPOINT = None  # the identity comes from the verified ID token alone
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_SIGN_ALGORITHM", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_SCOPES", "openid profile email")
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_TIMEOUT = 10
OIDC_CALLBACK_CLASS = "accounts.views.SignOnCallbackView"
OIDC_AUTHENTICATE_CLASS = "accounts.views.SignOnStartView"
# Entra ID tenants (the token's `tid`) allowed to sign in; empty accepts any tenant the issuer vouches for.
OIDC_ALLOWED_TENANTS = env_list("OIDC_ALLOWED_TENANTS")
# The claim that names a person for good: Entra's object id. `sub` only when OIDC_SUBJECT_CLAIM=sub.
OIDC_SUBJECT_CLAIM = os.environ.get("OIDC_SUBJECT_CLAIM", "oid")
# Optional: group claim values that give council access on first sign-in, as
# "GROUP_ID=council-slug:Role;GROUP_ID2=other-council:Viewer".
OIDC_GROUP_ACCESS = os.environ.get("OIDC_GROUP_ACCESS", "")
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")
# Seconds of clock difference tolerated on exp/iat/nbf.
OIDC_CLOCK_LEEWAY = int(os.environ.get("OIDC_CLOCK_LEEWAY", "60"))

# Two-factor (django-otp, TOTP with recovery codes) for local accounts: offered to everyone, and required
# for admins and partners when TWO_FACTOR_REQUIRED is on (the default in production).
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", default=PRODUCTION)
OTP_TOTP_ISSUER = "Inspection Findings Tracker"
OTP_TOTP_THROTTLE_FACTOR = 1

# Password reset links (Django's signed, single-use tokens) last an hour.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(60 * 60)))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 60 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie.

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Uploaded letters and evidence are private: outside the static root, served only by views that
# check the user's authority. Any Django storage backend (e.g. S3 through django-storages) fits here.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private-media"))
FILE_STORAGE_BACKEND = os.environ.get("FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
if FILE_STORAGE_BACKEND == "storages.backends.s3.S3Storage":
    # S3-compatible object storage (AWS, MinIO, Ceph...): private bucket, signed short-lived URLs are never
    # handed out (files are streamed by our authorised views), names never overwritten. See docs/operations.md.
    _FILE_STORAGE_OPTIONS = {
        "bucket_name": os.environ.get("S3_BUCKET", ""),
        "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("S3_REGION") or None,
        "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
        "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
        "location": os.environ.get("S3_PREFIX", "private"),
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
        "object_parameters": {"ServerSideEncryption": os.environ.get("S3_SSE", "AES256")},
    }
    if PRODUCTION and not _FILE_STORAGE_OPTIONS["bucket_name"]:
        raise ImproperlyConfigured("S3 storage needs S3_BUCKET in the environment.")
elif FILE_STORAGE_BACKEND == "django.core.files.storage.FileSystemStorage":
    _FILE_STORAGE_OPTIONS = {"location": str(PRIVATE_MEDIA_ROOT)}
else:
    _FILE_STORAGE_OPTIONS = {}
STORAGES = {
    "default": {"BACKEND": FILE_STORAGE_BACKEND, "OPTIONS": _FILE_STORAGE_OPTIONS},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", default=PRODUCTION)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}

# Outside production, serve static files straight from static/ so no collectstatic step is needed.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# A body declared over MAX_UPLOAD_BYTES (plus the form around it) is refused unread, with 413
# (config.middleware); a file streaming past it is dropped as it arrives.
FILE_UPLOAD_HANDLERS = [
    "core.upload_handlers.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tracker@localhost")
# Links in reminder emails, e.g. https://tracker.example.gov.uk
SITE_URL = os.environ.get("SITE_URL", "")
# Monthly update cycle: the day of the month owners are asked for an update (clamped to short months),
# and how many days after it a missing update is escalated to the council's senior leaders.
UPDATE_CYCLE_DAY = int(os.environ.get("UPDATE_CYCLE_DAY", "1"))
UPDATE_ESCALATION_DAYS = int(os.environ.get("UPDATE_ESCALATION_DAYS", "10"))
# An open action with no progress update for more than this many days is flagged as stale on lists, the
# council dashboard and the board report.
STALE_UPDATE_DAYS = int(os.environ.get("STALE_UPDATE_DAYS", "45"))

SERVICE_NAME = "Inspection Findings Tracker"

# Sign-in throttling (django-axes): lock an account and address pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
# Failure counts in the database, so every worker and app server counts the same sign-ins.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

# The read-only API (/api/v1/, docs/api.md): a person's API tokens or their browser session; JSON and CSV;
# pages of 100 (up to 1,000); every list filtered as the pages are. Requests are limited per token (per
# person in a browser) in the default cache, so Redis when REDIS_URL is set.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "api.renderers.CsvRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.ApiPagination",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "URL_FORMAT_OVERRIDE": "format",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Inspection Findings Tracker API",
    "DESCRIPTION": (
        "Read-only data of the councils you may read: inspections, judgements, findings, actions, positions "
        "on a date and dashboard figures. Send `Authorization: Token <key>` with a key from your API tokens "
        "page. JSON, or CSV with `?format=csv`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.add_error_responses"],
}

# Content-Security-Policy (django-csp 4): no inline script or style; the one bootstrap script that
# GOV.UK Frontend needs carries a nonce.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # Behind an HTTPS proxy: the header (and value) the proxy sets, e.g. "X-Forwarded-Proto: https".
    # Only trust it when the proxy strips that header from what clients send; an empty value turns it off.
    _proxy_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto: https")
    if _proxy_header.strip():
        _name, _, _value = _proxy_header.partition(":")
        SECURE_PROXY_SSL_HEADER = ("HTTP_" + _name.strip().upper().replace("-", "_"), _value.strip())
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
