"""Settings for the news annotator, configured from environment variables.

Development defaults are safe: DEBUG is off unless asked for, SQLite is the embedded database,
and a missing SECRET_KEY is only tolerated while DEBUG is on. See docs/deploy.md.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes", "on" mean yes)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable into a list of non-empty items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")
    SECRET_KEY = "dev-only-insecure-key-set-SECRET_KEY-in-production-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "articles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "annotator.compression.HtmlGZipMiddleware",
    "annotator.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a sign-in refused for password guessing into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "annotator.urls"
WSGI_APPLICATION = "annotator.wsgi.application"
ASGI_APPLICATION = "annotator.asgi.application"

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
            ],
        },
    },
]

# SQLite is the embedded default; DATABASE_URL (e.g. postgres://user@host:5432/name) switches to PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        # A health check costs one extra statement on every request; off by default, on for flaky networks.
        conn_health_checks=env_bool("DB_HEALTH_CHECKS", False),
    )
}
# The API's hottest statements run as prepared statements on PostgreSQL (planned once per connection).
# Turn off behind a pooler that hands one session's statements to others (pgbouncer in transaction mode).
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets readers work while one writer commits, and NORMAL syncs at checkpoints rather than on every
    # commit: a write (say, a rate-limit count) costs about 0.1 ms instead of 20 ms, still crash-safe.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Accepts every password: Django tells each entry here when a password changes (set_password() and
    # save(): the admin, the password forms, `changepassword`), and this one then revokes the API token,
    # as Django ends the user's browser sessions. See docs/auth.md.
    {"NAME": "articles.api_tokens.RevokeTokenOnPasswordChange"},
]
# django-axes refuses sign-ins while guessing is over a limit, then the usual backend checks the password.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "project_list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "annotator.static_storage.ModuleManifestStaticFilesStorage"
    },
    # Background jobs' result files (articles.jobs): never served by URL, only through a checked download.
    # Several machines need a shared one (a network filesystem, or an object store's Django storage).
    "job_results": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": os.environ.get("JOB_RESULTS_DIR", str(BASE_DIR / "job-results"))},
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Request size limits (INPUT-1): bodies over this are refused with 413 on the API.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("MAX_REQUEST_BYTES", str(5 * 1024 * 1024)))
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
ARTICLE_MAX_CHARS = int(os.environ.get("ARTICLE_MAX_CHARS", "1000000"))
# Living articles (docs/user-guide.md, "When an article changes"): an annotation whose text a revision
# edited lands as "fuzzy" when its match scores at least this (0..1), else it is orphaned.
REANCHOR_FUZZY_THRESHOLD = float(os.environ.get("REANCHOR_FUZZY_THRESHOLD", "0.8"))

# Browser security headers. The CSP is sent by annotator.security on every response.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # the token reaches htmx through hx-headers, never through JS cookies

# HTTPS hardening: on by default when DEBUG is off; HTTPS=0 turns it off for a plain-HTTP intranet.
HTTPS = env_bool("HTTPS", not DEBUG)
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)  # one reverse proxy of ours sets X-Forwarded-For/-Proto
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REDIS_URL = os.environ.get("REDIS_URL", "")  # optional: rate-limit counters and the cache live there when set
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "articles.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["articles.api.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "articles.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "articles.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_CLASSES": [
        "articles.api.throttling.UserRateThrottle",
        "articles.api.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("API_RATE_USER", "100000/hour"),
        "anon": os.environ.get("API_RATE_ANON", "600/hour"),
    },
}

# Password guessing (docs/auth.md): failed sign-ins on the sign-in page, the admin and POST /api/v1/auth/token/
# are counted in the database by django-axes, per (username, address) and per address, each against its own
# limit; past one, every sign-in from there answers 429 with Retry-After until the cool-off has passed since
# the last attempt. Unknown usernames count exactly as known ones, so the answers reveal no accounts.
SIGN_IN_FAILURE_LIMITS = {
    ("username", "ip_address"): int(os.environ.get("SIGN_IN_FAILURES_PER_ACCOUNT", "5")),
    ("ip_address",): int(os.environ.get("SIGN_IN_FAILURES_PER_ADDRESS", "50")),
}
AXES_LOCKOUT_PARAMETERS = [list(parameters) for parameters in SIGN_IN_FAILURE_LIMITS]
AXES_FAILURE_LIMIT = SIGN_IN_FAILURE_LIMITS[("username", "ip_address")]
AXES_HANDLER = "articles.password_guessing.SignInFailures"
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SIGN_IN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_CALLABLE = "articles.views.account.sign_in_refused"
AXES_CLIENT_IP_CALLABLE = "articles.rate_limits.client_address"
# A success would also clear its address's count: an attacker with one account could use that.
AXES_RESET_ON_SUCCESS = False
AXES_DISABLE_ACCESS_LOG = True  # no record of every successful sign-in (addresses and browsers of staff)

SPECTACULAR_SETTINGS = {
    "TITLE": "News Annotator API",
    "DESCRIPTION": "Articles, span annotations (claim, quote, source, opinion), labels, members and review.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One named enum per choice set, so generated clients get ArticleStatus, not Status1dfEnum.
    "ENUM_NAME_OVERRIDES": {
        "ArticleStatusEnum": "articles.models.ArticleStatus",
        "ReviewStatusEnum": "articles.models.ReviewStatus",
        "RoleEnum": "articles.models.Role",
    },
}

# Who may create projects from the pages and the API: every signed-in user ("all") or staff only ("staff").
PROJECT_CREATION = os.environ.get("PROJECT_CREATION", "all").strip().lower()
if PROJECT_CREATION not in {"all", "staff"}:
    raise ImproperlyConfigured("PROJECT_CREATION must be 'all' or 'staff'.")

# URL import (SSRF guard): private, loopback and link-local targets are refused unless allowed here.
URL_IMPORT_ALLOW_PRIVATE = env_bool("URL_IMPORT_ALLOW_PRIVATE", False)
URL_IMPORT_MAX_BYTES = int(os.environ.get("URL_IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
URL_IMPORT_TIMEOUT = float(os.environ.get("URL_IMPORT_TIMEOUT", "10"))
URL_IMPORT_ALLOWED_PORTS = [int(port) for port in env_list("URL_IMPORT_ALLOWED_PORTS", "80,443")]
URL_IMPORT_MAX_REDIRECTS = int(os.environ.get("URL_IMPORT_MAX_REDIRECTS", "3"))
URL_IMPORT_RATE = os.environ.get("URL_IMPORT_RATE", "10/min")

# File imports: limits per request, and where previews wait for confirmation (shared by all web workers).
IMPORT_MAX_FILES = int(os.environ.get("IMPORT_MAX_FILES", "20"))
IMPORT_MAX_FILE_BYTES = int(os.environ.get("IMPORT_MAX_FILE_BYTES", str(20 * 1024 * 1024)))
IMPORT_MAX_ARTICLES = int(os.environ.get("IMPORT_MAX_ARTICLES", "20000"))
IMPORT_MAX_ANNOTATIONS = int(os.environ.get("IMPORT_MAX_ANNOTATIONS", "500000"))
# An uploaded file larger than this is imported by a background job (`file_import`) instead of in the request;
# previews and a job's files wait in the database (articles.models.ImportStaging), shared by every server.
IMPORT_BACKGROUND_BYTES = int(os.environ.get("IMPORT_BACKGROUND_BYTES", str(2 * 1024 * 1024)))

# Background jobs (docs/deploy.md, "Background jobs"): django-tasks with its database backend; workers run
# `manage.py db_worker`. Result files are kept JOB_RESULT_DAYS, finished jobs JOB_KEEP_DAYS (`prune_jobs`).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
JOB_RESULT_DAYS = int(os.environ.get("JOB_RESULT_DAYS", "7"))
JOB_KEEP_DAYS = int(os.environ.get("JOB_KEEP_DAYS", "30"))
JOB_MAX_ATTEMPTS = int(os.environ.get("JOB_MAX_ATTEMPTS", "5"))
JOB_RETRY_SECONDS = float(os.environ.get("JOB_RETRY_SECONDS", "10"))  # the first retry's delay; then doubled

# Webhooks (docs/api.md, "Webhooks"): delivered by the job workers through the URL import's SSRF guard
# (URL_IMPORT_ALLOW_PRIVATE, URL_IMPORT_ALLOWED_PORTS), each try cut off after WEBHOOK_TIMEOUT seconds,
# retried after WEBHOOK_RETRY_SECONDS (doubled each time) up to WEBHOOK_MAX_ATTEMPTS tries. A hook
# registered on one app server is heard by the others within WEBHOOK_CACHE_SECONDS.
WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "5"))
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "8"))
WEBHOOK_RETRY_SECONDS = float(os.environ.get("WEBHOOK_RETRY_SECONDS", "10"))
WEBHOOK_CACHE_SECONDS = float(os.environ.get("WEBHOOK_CACHE_SECONDS", "10"))
# Adding an article asks whether its project runs suggesters (articles.suggesters) from a per-process answer
# at most this old: a suggester switched on at one app server runs for articles added at others within it.
SUGGESTER_CACHE_SECONDS = float(os.environ.get("SUGGESTER_CACHE_SECONDS", "10"))
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["WebhookEventEnum"] = "articles.models.WebhookEvent"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
