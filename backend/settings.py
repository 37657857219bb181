"""Settings for the CEO app backend, read from the environment.

Defaults are safe for the local demo (SQLite, DEBUG on only when asked for). With DEBUG
off every secret must come from the environment, and a malformed value stops start-up
with a message naming the variable. See `.env.example` for the full list.

One module on purpose (STYLE.md, "Settings"): an operator reads every setting and its
environment variable top to bottom in one place; sections are headed by comments, and
test overrides live in the thin `settings_test` overlay.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from backend.env import Env

env = Env()
BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env.bool("DEBUG", False)

_DEMO_SECRET_KEY = "demo-only-not-secret-1c1d9a3f6e0b4e8f9a7d2c5b8e1f4a7d0c3b6e9f2a5d8c1b"  # noqa: S105
_DEMO_PEPPER = "demo-only-pepper-7b3e9d1f5a2c8e4b6d0f3a9c1e7b5d2f"

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", _DEMO_SECRET_KEY)
    IDENTIFIER_PEPPER = env.str("IDENTIFIER_PEPPER", _DEMO_PEPPER)
else:
    SECRET_KEY = env.required_str(
        "SECRET_KEY", reason="it signs tokens and sessions (required when DEBUG is off)"
    )
    IDENTIFIER_PEPPER = env.required_str(
        "IDENTIFIER_PEPPER",
        reason="it keys the hashes of personal identifiers (required when DEBUG is off)",
    )
    if SECRET_KEY == _DEMO_SECRET_KEY or IDENTIFIER_PEPPER == _DEMO_PEPPER:
        raise ImproperlyConfigured("SECRET_KEY and IDENTIFIER_PEPPER must not be the demo values")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long")
if len(IDENTIFIER_PEPPER) < 32:
    raise ImproperlyConfigured("IDENTIFIER_PEPPER must be at least 32 characters long")

if DEBUG:
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
else:
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off")

INSTALLED_APPS = [
    "backend.admin.CeoAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "backend.api",
    "backend.accounts",
    "knowledge",
    "referrals",
]

MIDDLEWARE = [
    "backend.api.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "backend.api.middleware.RequestGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "backend.api.middleware.ContentSecurityPolicyMiddleware",
    "backend.api.middleware.ServiceUnavailableMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
ASGI_APPLICATION = "backend.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------------------

_database_url = env.str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
try:
    _database = dj_database_url.parse(
        _database_url,
        conn_max_age=env.int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
except Exception as exc:  # dj-database-url raises several types for a malformed URL
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
if _database["ENGINE"] not in (
    "django.db.backends.postgresql",
    "django.db.backends.sqlite3",
):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL or SQLite")
if _database["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast when the server is away (readiness probes, 503s) and stop runaway queries.
    _database.setdefault("OPTIONS", {})
    _database["OPTIONS"].setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", 3, minimum=1))
    _database["OPTIONS"].setdefault(
        "options", f"-c statement_timeout={env.int('DB_STATEMENT_TIMEOUT_MS', 30000)}"
    )
    # Parameters sent apart from the statement, and a statement a connection runs
    # repeatedly prepared from its fifth run, so PostgreSQL stops planning it anew: half
    # the database's CPU of a search. Off behind a pooler in transaction mode that does
    # not keep prepared statements (PgBouncer before 1.21).
    if env.bool("DB_PREPARED_STATEMENTS", True):
        _database["OPTIONS"].setdefault("server_side_binding", True)
        _database["OPTIONS"].setdefault("prepare_threshold", 5)
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's SQLite builds the covering indexes on their keys alone; only PostgreSQL
    # answers from the included columns.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Cache (shared throttles when REDIS_URL is set) -----------------------------------------

REDIS_URL = env.str("REDIS_URL")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("REDIS_URL must start with redis://, rediss:// or unix://")
    CACHES = {
        "default": {
            # Django's Redis cache behind a circuit breaker (backend/api/cache.py).
            "BACKEND": "backend.api.cache.CircuitBreakerRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", "ceo"),
            # Short timeouts: when Redis is away, throttles fail open quickly instead of
            # holding every request for the OS default.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# After a Redis failure, cache calls skip Redis (and fail open) for this long.
CACHE_CIRCUIT_BREAKER_SECONDS = env.int("CACHE_CIRCUIT_BREAKER_SECONDS", 10, minimum=1)

# --- Auth --------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.Employee"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", 15, minimum=1)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", 14, minimum=1)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", SECRET_KEY),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "CHECK_USER_IS_ACTIVE": True,
    # A password change invalidates every token issued before it.
    "CHECK_REVOKE_TOKEN": True,
}

LOGIN_THROTTLE_RATE = env.str("LOGIN_THROTTLE_RATE", "10/min")

# Admin login rate limit (django-axes, see backend/admin_lockout.py): this many failed
# sign-ins from one address, or for one account, lock that address or account out of the
# admin login for ADMIN_LOGIN_LOCKOUT_MINUTES. Counted in the database, shared by every
# app server; a successful sign-in resets the count.
INSTALLED_APPS.append("axes")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last, as axes requires
AUTHENTICATION_BACKENDS = [
    "backend.admin_lockout.AdminLoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("ADMIN_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ADMIN_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_ONLY_ADMIN_SITE = True
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "backend.admin_lockout.AdminLoginAttemptHandler"
AXES_USERNAME_CALLABLE = "backend.admin_lockout.login_username"
AXES_CLIENT_IP_CALLABLE = "backend.admin_lockout.client_address"
AXES_LOCKOUT_CALLABLE = "backend.admin_lockout.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are not recorded

# --- API ---------------------------------------------------------------------------------

# Each part below adds its own throttle rates and enum names to these two, so they are
# named (and typed) on their own rather than reached through the settings dicts.
THROTTLE_RATES: dict[str, str] = {
    "login": LOGIN_THROTTLE_RATE,
    "login_identity": env.str("LOGIN_IDENTITY_THROTTLE_RATE", "5/min"),
    "token_refresh": env.str("TOKEN_REFRESH_THROTTLE_RATE", "30/min"),
}
ENUM_NAME_OVERRIDES: dict[str, str | list[str]] = {}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["backend.api.authentication.EmployeeJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["backend.api.permissions.DenyAll"],
    "DEFAULT_PAGINATION_CLASS": "backend.api.pagination.CursorPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["backend.api.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "backend.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "backend.api.schema.ApiAutoSchema",
    "DEFAULT_THROTTLE_RATES": THROTTLE_RATES,
    "NUM_PROXIES": env.int("NUM_PROXIES", 0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNICODE_JSON": True,
}

API_MAX_PAGE_SIZE = 100
# Request bodies above this are refused with 413 before they are parsed.
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", 2 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES
# URLs (path and query string) above this are refused with 414; keep it below the request
# line limit of the server in front (gunicorn.conf.py: 8190).
MAX_URL_BYTES = env.int("MAX_URL_BYTES", 8000, minimum=1024)

SPECTACULAR_SETTINGS = {
    "TITLE": "CEO app API",
    "DESCRIPTION": (
        "REST API of the CEO app. Employees find trustworthy answers, share them with "
        "friends and family, and see the customers their help brought in. Every error "
        "response has the shape of the `Error` schema: a machine `code`, a human "
        "`message` and, for validation errors, per-field details. Lists use cursor "
        "pagination: follow `next` and `previous`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "ENUM_NAME_OVERRIDES": ENUM_NAME_OVERRIDES,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "backend.api.schema.postprocess_parameters",
    ],
}

# --- CORS and security headers -----------------------------------------------------------

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)

if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", True)
    # Load balancers probe health over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    if env.bool("SECURE_PROXY_SSL_HEADER", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS")

# --- Static files, i18n --------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the apps when collectstatic has not run (demo, tests).
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", DEBUG or not STATIC_ROOT.exists())

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("nl", "Nederlands")]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Logging: structured JSON on stdout with the request id --------------------------------

LOG_LEVEL = env.choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOG_FORMAT = env.choice("LOG_FORMAT", "text" if DEBUG else "json", ("json", "text"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "backend.api.logging.RequestContextFilter"},
        "redact_request": {"()": "backend.api.logging.RedactRequestFilter"},
        "redact_secrets": {"()": "backend.api.logging.RedactSecretsFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            # On the handler: every record of every logger (root, django.*,
            # django.security.*) passes through the redaction before it is written.
            "filters": ["request_context", "redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default handlers (console in DEBUG, mail to ADMINS) would write
        # django.* records unredacted: they go to our handler only.
        "django": {"handlers": [], "propagate": True},
        # Our request log replaces these; theirs repeat the full path with query string.
        "django.request": {"level": "ERROR", "filters": ["redact_request"]},
        "django.server": {"level": "WARNING", "filters": ["redact_request"], "propagate": True},
    },
}

# --- Product rules -------------------------------------------------------------------------

PHONE_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", "NL")

# --- Referrals: codes, shares, landing page, sign-ups and attribution ----------------------

# Sign-up API keys (`Authorization: Api-Key <key>`); listed before `referrals` so that its
# admin can replace the stock API key admin.
INSTALLED_APPS.insert(INSTALLED_APPS.index("referrals"), "rest_framework_api_key")

# How far the clocks of systems that report to us may disagree with ours: an event may be
# this far ahead of our clock, and a share link this much younger than the sign-up it
# is credited for (see backend/api/moments.py and the attribution window rule).
CLOCK_SKEW_SECONDS = env.int("CLOCK_SKEW_SECONDS", 300, minimum=0, maximum=3600)
# A shared link attributes sign-ups for this many days after it was created.
ATTRIBUTION_WINDOW_DAYS = env.int("ATTRIBUTION_WINDOW_DAYS", 90, minimum=1)
# More attributions than this for one referrer within 24 hours go to review.
VELOCITY_LIMIT = env.int("VELOCITY_LIMIT", 10, minimum=1)
# EU withdrawal period: an activated sign-up is confirmed once this many days pass
# without a cancellation.
WITHDRAWAL_DAYS = env.int("WITHDRAWAL_DAYS", 14, minimum=0)
# A pending attribution whose sign-up was not activated this many days after it occurred
# expires (`manage.py expire_attributions`, reversed as `not_activated`).
ACTIVATION_DAYS = env.int("ACTIVATION_DAYS", 60, minimum=1)
# Where friends open shared links (`<PUBLIC_BASE_URL>/s/<token>`).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# The shop's sign-up page the landing page's call to action opens, with `code` (and
# `share`) added to the query string.
SIGNUP_URL = env.str("SIGNUP_URL", "https://www.ceo-telecom.example/aanmelden")
for _name, _url in (("PUBLIC_BASE_URL", PUBLIC_BASE_URL), ("SIGNUP_URL", SIGNUP_URL)):
    if not _url.startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"{_name} must start with https:// or http://, got {_url!r}")
THROTTLE_RATES.update(
    {
        # Landing page and public share JSON, per visitor address.
        "public": env.str("PUBLIC_THROTTLE_RATE", "60/min"),
        # The public code check, per client address.
        "code_check": env.str("CODE_CHECK_THROTTLE_RATE", "10/min"),
        # Sign-up ingestion, per API key (a batch call counts once).
        "signups": env.str("SIGNUP_THROTTLE_RATE", "1200/min"),
        # Claims ("I helped this friend"), per employee.
        "claims": env.str("CLAIM_THROTTLE_RATE", "10/hour"),
    }
)
ENUM_NAME_OVERRIDES.update(
    {
        "AttributionStatusEnum": "referrals.models.AttributionStatus",
        "ClaimStatusEnum": "referrals.models.ClaimStatus",
        "ReferralCodeStatusEnum": ["active", "revoked", "frozen"],
        "LanguageEnum": "backend.accounts.models.Language",
    }
)

# --- Knowledge ---------------------------------------------------------------------------

# Days an article counts as verified after publishing or `verify` without an explicit date.
KNOWLEDGE_VERIFY_DAYS = env.int("KNOWLEDGE_VERIFY_DAYS", 90, minimum=1, maximum=730)
# The furthest an editor may set verified_until ahead.
KNOWLEDGE_VERIFY_MAX_DAYS = env.int("KNOWLEDGE_VERIFY_MAX_DAYS", 730, minimum=1)
# Where this app server keeps its search index (a cache of the database, rebuilt when missing).
SEARCH_INDEX_DIR = env.str("SEARCH_INDEX_DIR", str(BASE_DIR / "var" / "search-index"))
# How often, at most, a worker checks whether the index must catch up with the database.
SEARCH_SYNC_SECONDS = env.int("SEARCH_SYNC_SECONDS", 1, minimum=0, maximum=60)
# With no index on disk, how long a search waits for the background build before a 503
# (0: build inside the request, as tests do, whose data only their own connection sees).
SEARCH_BUILD_WAIT_SECONDS = env.int("SEARCH_BUILD_WAIT_SECONDS", 10, minimum=0, maximum=25)
# The longest an outage notice may stay pinned.
KNOWLEDGE_NOTICE_MAX_DAYS = env.int("KNOWLEDGE_NOTICE_MAX_DAYS", 31, minimum=1)
THROTTLE_RATES.update(
    {
        "knowledge_search": env.str("KNOWLEDGE_SEARCH_THROTTLE_RATE", "120/min"),
        "knowledge_question": env.str("KNOWLEDGE_QUESTION_THROTTLE_RATE", "30/hour"),
    }
)
ENUM_NAME_OVERRIDES.update(
    {
        "ArticleStatusEnum": "knowledge.models.ArticleStatus",
        "QuestionStatusEnum": "knowledge.models.QuestionStatus",
        "ArticleFeedbackReasonEnum": "knowledge.models.FeedbackReason",
        "FriendFeedbackReasonEnum": "referrals.models.FeedbackReason",
    }
)

# --- Sales ops: review queue, decisions, claims, export and funnel report ------------------

ENUM_NAME_OVERRIDES.update(
    {
        "ChannelEnum": "referrals.models.ShareChannel",
        "ApproveOrRejectActionEnum": ["approve", "reject"],
        "ReassignActionEnum": ["reassign"],
        "DecisionActionEnum": "referrals.services.decisions.DecisionAction",
        "ActionEnum": "knowledge.models.RevisionAction",
        "IdentifierKindEnum": "backend.accounts.identifiers.IdentifierKind",
    }
)

# --- Data protection -----------------------------------------------------------------------

# Visitor detail (salted visitor hash, exact time) older than this is erased by
# `manage.py purge_visitor_data`; the anonymous counts stay.
VISITOR_DATA_RETENTION_DAYS = env.int("VISITOR_DATA_RETENTION_DAYS", 180, minimum=1)

# --- Performance -----------------------------------------------------------------------------

# Company-wide impact numbers (totals and leaders) are the same for every employee: they are
# computed at most this often and shared through the cache.
IMPACT_COMPANY_REFRESH_SECONDS = env.int("IMPACT_COMPANY_REFRESH_SECONDS", 300, minimum=1)

# --- Identity: single sign-on (OpenID Connect), provisioning (SCIM), email -----------------

# The company's OpenID provider, exactly as its ID tokens' `iss` spell it; empty turns
# single sign-on off. Its `/.well-known/openid-configuration` names the signing keys.
OIDC_ISSUER = env.str("OIDC_ISSUER")
# The client ids of the mobile app at the provider: the accepted ID token audiences.
OIDC_CLIENT_IDS = env.list("OIDC_CLIENT_IDS")
# The claim holding the employee's work email (Entra ID without the optional `email`
# claim: `preferred_username` or `upn`).
OIDC_EMAIL_CLAIM = env.str("OIDC_EMAIL_CLAIM", "email")
if OIDC_ISSUER:
    _issuer = urlsplit(OIDC_ISSUER)
    # Plain http only on loopback (a provider started by the tests or a developer).
    if not _issuer.hostname or not (
        _issuer.scheme == "https"
        or (_issuer.scheme == "http" and _issuer.hostname in ("127.0.0.1", "localhost", "::1"))
    ):
        raise ImproperlyConfigured(f"OIDC_ISSUER must be an https:// URL, got {OIDC_ISSUER!r}")
    if not OIDC_CLIENT_IDS:
        raise ImproperlyConfigured("OIDC_CLIENT_IDS must be set when OIDC_ISSUER is set")

# Email (invitations, password reset). Without EMAIL_HOST mails are printed to the console
# (the demo); production sets EMAIL_HOST and friends.
EMAIL_HOST = env.str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env.int("EMAIL_PORT", 587, minimum=1, maximum=65535)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL exclude each other: set one")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "CEO app <no-reply@ceo-telecom.example>")
# How long an invitation or reset link works (it also stops working once used).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_LINK_HOURS", 72, minimum=1, maximum=24 * 30) * 3600
THROTTLE_RATES.update({"password_reset": env.str("PASSWORD_RESET_THROTTLE_RATE", "3/hour")})

# --- Events: job queue, notifications, push and webhooks ------------------------------------

INSTALLED_APPS.append("backend.events")
# Jobs live in PostgreSQL (Procrastinate; `manage.py worker` runs them). The SQLite demo
# cannot hold that queue: there a job runs in-process right after its transaction commits.
JOBS_IN_PROCESS = _database["ENGINE"] == "django.db.backends.sqlite3"
if not JOBS_IN_PROCESS:
    INSTALLED_APPS.append("procrastinate.contrib.django")
PROCRASTINATE_READONLY_MODELS = True


def _seconds_list(name: str, default: str) -> list[int]:
    raw = env.list(name, default.split(","))
    try:
        waits = [int(item) for item in raw]
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be whole seconds separated by commas") from None
    if any(wait < 0 for wait in waits):
        raise ImproperlyConfigured(f"{name} must not hold negative waits")
    return waits


# Firebase Cloud Messaging HTTP v1: a service-account key (the JSON itself, or a file).
FCM_SERVICE_ACCOUNT_JSON = env.str("FCM_SERVICE_ACCOUNT_JSON")
FCM_SERVICE_ACCOUNT_FILE = env.str("FCM_SERVICE_ACCOUNT_FILE")
FCM_ENDPOINT = env.str("FCM_ENDPOINT", "https://fcm.googleapis.com").rstrip("/")
PUSH_TIMEOUT_SECONDS = env.int("PUSH_TIMEOUT_SECONDS", 10, minimum=1, maximum=60)
# No push between these hours on the phone's clock; the notification waits in the feed.
PUSH_QUIET_START = env.int("PUSH_QUIET_START", 22, maximum=23)
PUSH_QUIET_END = env.int("PUSH_QUIET_END", 8, maximum=23)
PUSH_RETRY_SCHEDULE = _seconds_list("PUSH_RETRY_SCHEDULE", "10,60,600")

# Outbound webhooks (Standard Webhooks). Retries wait these seconds (about a day in all);
# a delivery failing its last attempt disables its endpoint.
WEBHOOK_RETRY_SCHEDULE = _seconds_list(
    "WEBHOOK_RETRY_SCHEDULE", "10,60,300,1800,7200,18000,36000,36000"
)
WEBHOOK_CONNECT_TIMEOUT_SECONDS = env.int("WEBHOOK_CONNECT_TIMEOUT_SECONDS", 3, minimum=1)
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1, maximum=60)
# Settled deliveries (and their attempt log) are kept this long.
WEBHOOK_LOG_RETENTION_DAYS = env.int("WEBHOOK_LOG_RETENTION_DAYS", 30, minimum=1)
# Refuse private, loopback and link-local targets (SSRF) unless an on-premises CRM needs it.
WEBHOOK_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", False)
# Fernet key encrypting endpoint secrets; by default derived from SECRET_KEY.
WEBHOOK_SECRET_KEY = env.str("WEBHOOK_SECRET_KEY")
if WEBHOOK_SECRET_KEY:
    from cryptography.fernet import Fernet

    try:
        Fernet(WEBHOOK_SECRET_KEY)
    except ValueError:
        raise ImproperlyConfigured(
            "WEBHOOK_SECRET_KEY must be a Fernet key: 32 url-safe base64-encoded bytes"
        ) from None
THROTTLE_RATES.update({"devices": env.str("DEVICE_THROTTLE_RATE", "30/hour")})
ENUM_NAME_OVERRIDES.update({"DevicePlatformEnum": "backend.events.models.DevicePlatform"})
# Password reset mails are sent by the worker (accounts.password_reset_mail); when the mail
# server fails they are retried after these waits (about two and a half hours in all).
MAIL_RETRY_SCHEDULE = _seconds_list("MAIL_RETRY_SCHEDULE", "60,300,1800,7200")
