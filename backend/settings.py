"""Settings, all read from environment variables with safe development defaults.

One file, as healthchecks does it: the embedded default (SQLite + Celery's filesystem broker) needs no
variable at all; `DATABASE_URL` and `REDIS_URL` switch to PostgreSQL and Redis and nothing else changes.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def envint(name, default):
    return int(os.environ.get(name, default))


def envlist(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "axes",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc from our own static files: the docs work offline
    "surveys",
    "workers",
    "exports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "backend.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "backend.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
ASGI_APPLICATION = "backend.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

# SQLite (a file under var/) unless DATABASE_URL names another database.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'arsrunda.sqlite3'}"),
        conn_max_age=envint("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets the web server and the worker use the file at the same time.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = envint("DATABASE_CONNECT_TIMEOUT", 5)
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "surveys.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:start"

# Password guessing (django-axes): every login that goes through authenticate() (the admin, the API's
# token, any later staff login form) counts failures per account and per client address; either one
# reaching the limit locks that account, or that client, for the cool-off time.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = envbool("LOGIN_LOCKOUT_ENABLED", True)
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "surveys.lockout.lockout_response"
# Behind the trusted proxy the client is read from its header (TRUSTED_PROXY_COUNT), as for every throttle.
AXES_CLIENT_IP_CALLABLE = "backend.client.client_ip_or_none"
AXES_VERBOSE = False
# Lockouts are read and lifted with the axes_list_attempts / axes_reset_username / axes_reset_ip commands.
AXES_ENABLE_ADMIN = False

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "surveys" / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": os.environ.get("FILE_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-mail: the console in development, SMTP when EMAIL_HOST is set.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Årsrunda <noreply@arsrunda.localhost>")

# Celery: Redis when REDIS_URL is set, otherwise the filesystem transport (no server needed).
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "arsrunda")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 1800)
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 1700)
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "tick": {"task": "workers.tasks.tick", "schedule": envint("TICK_SECONDS", 60)},
    "expire-exports": {"task": "workers.tasks.expire_exports", "schedule": 3600},
    "data-retention": {"task": "workers.tasks.apply_retention", "schedule": 86400},
}

# How many reverse proxies we run in front of gunicorn, each appending to X-Forwarded-For. The client
# address (throttles, logs) is read from that header only when this is above 0 (backend/client.py).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

REST_FRAMEWORK = {
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,  # DRF throttles read the same client address
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["surveys.permissions.IsStaffRole"],
    "EXCEPTION_HANDLER": "surveys.api.errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "surveys.api.parsers.JSONParser",
        "surveys.api.parsers.FormParser",
        "surveys.api.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "surveys.api.pagination.ApiPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "surveys.api.schema.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"magic_link": os.environ.get("MAGIC_LINK_RATE", "20/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Årsrunda API",
    "DESCRIPTION": "Programmes, questionnaires, survey rounds, answers, index results and exports.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "surveys.models.Organisation.Kind",
        "EmailKindEnum": "surveys.models.OutboundEmail.Kind",
    },
}

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Respondents' links stay valid this long after a round's deadline (the grace period is per round on top).
MAGIC_LINK_GRACE_DAYS = envint("MAGIC_LINK_GRACE_DAYS", 14)
# A session opened by a magic link ends after this many seconds (a working day), not the default two weeks.
RESPONDENT_SESSION_SECONDS = envint("RESPONDENT_SESSION_SECONDS", 8 * 3600)
# Exported workbooks are deleted from the storage this many days after they were built (the job row stays).
EXPORT_RETENTION_DAYS = envint("EXPORT_RETENTION_DAYS", envint("EXPORT_EXPIRY_DAYS", 30))
# An export that has not reported progress for this long lost its worker (killed) or its message (a
# restarted Redis): the tick hands it to a worker again, and the new worker may take it over.
EXPORT_STALE_SECONDS = envint("EXPORT_STALE_SECONDS", 300)
# An export whose heartbeat is older than this shows as stalled ("avbruten") in the API.
EXPORT_STALLED_SECONDS = envint("EXPORT_STALLED_SECONDS", 120)
# /healthz/status: the tick is stale after this long without running, a worker after this long silent.
SCHEDULER_STALE_SECONDS = envint("SCHEDULER_STALE_SECONDS", 3 * envint("TICK_SECONDS", 60))
WORKER_HEARTBEAT_SECONDS = envint("WORKER_HEARTBEAT_SECONDS", 30)
WORKER_STALE_SECONDS = envint("WORKER_STALE_SECONDS", 120)
OUTBOX_BATCH_SIZE = envint("OUTBOX_BATCH_SIZE", 100)
OUTBOX_MAX_ATTEMPTS = envint("OUTBOX_MAX_ATTEMPTS", 5)
# A sender's claim on a row lasts this long; after it a killed worker's row is sent by another.
OUTBOX_LEASE_SECONDS = envint("OUTBOX_LEASE_SECONDS", 300)
# A dispatched row not picked up within this time (its task lost with the broker) is dispatched again; a
# row whose hand-over failed (broker down) is due again at once. Copies are harmless: claims are conditional.
OUTBOX_REDISPATCH_SECONDS = envint("OUTBOX_REDISPATCH_SECONDS", 180)
# Wait after the first transient failure; each further failure waits four times longer.
OUTBOX_BACKOFF_SECONDS = envint("OUTBOX_BACKOFF_SECONDS", 60)
OUTBOX_DISPATCH_LIMIT = envint("OUTBOX_DISPATCH_LIMIT", 20000)
# The organisation that runs the service: shown in the accessibility statement, the personal-data notice
# and as the fallback coordinator of a round (a round names its own coordinator; else its creator).
ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "Stadsledningskontoret")
ORGANISATION_ADDRESS = os.environ.get("ORGANISATION_ADDRESS", "Stadshuset, 111 11 Staden")
ORGANISATION_EMAIL = os.environ.get("ORGANISATION_EMAIL", "registrator@arsrunda.localhost")
ORGANISATION_PHONE = os.environ.get("ORGANISATION_PHONE", "08-000 00 00")
DATA_PROTECTION_OFFICER_EMAIL = os.environ.get(
    "DATA_PROTECTION_OFFICER_EMAIL", "dataskyddsombud@arsrunda.localhost"
)
ACCESSIBILITY_CONTACT_EMAIL = os.environ.get("ACCESSIBILITY_CONTACT_EMAIL", ORGANISATION_EMAIL)
# The date the accessibility statement was last reviewed (ISO date).
ACCESSIBILITY_REVIEWED = os.environ.get("ACCESSIBILITY_REVIEWED", "2026-12-03")
COORDINATOR_NAME = os.environ.get("COORDINATOR_NAME", "")
COORDINATOR_TITLE = os.environ.get("COORDINATOR_TITLE", "ANDTS-samordnare")
COORDINATOR_EMAIL = os.environ.get("COORDINATOR_EMAIL", ORGANISATION_EMAIL)
COORDINATOR_PHONE = os.environ.get("COORDINATOR_PHONE", ORGANISATION_PHONE)
# Retention of personal data: contacts in no unpublished round are anonymised this many months after the
# last round they were in was published; outbox rows lose their address and text after OUTBOX_RETENTION_DAYS.
CONTACT_RETENTION_MONTHS = envint("CONTACT_RETENTION_MONTHS", 24)
OUTBOX_RETENTION_DAYS = envint("OUTBOX_RETENTION_DAYS", 90)
# Workbook uploads (plan and questionnaire imports) are refused past these limits before any parsing.
IMPORT_MAX_UPLOAD_BYTES = envint("IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
IMPORT_MAX_UNCOMPRESSED_BYTES = envint("IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024)
IMPORT_MAX_ZIP_ENTRIES = envint("IMPORT_MAX_ZIP_ENTRIES", 1000)
IMPORT_MAX_ZIP_RATIO = envint("IMPORT_MAX_ZIP_RATIO", 200)
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", 20000)
# Reminders go out at this local hour (Europe/Stockholm) on weekdays; one due on a weekend goes on Monday.
REMINDER_HOUR = envint("REMINDER_HOUR", 8)
# Results shown to respondents: the city mean, category means and rank need at least this many
# organisations with a result (the default of a new round's own setting).
RESULTS_MIN_GROUP_SIZE = envint("RESULTS_MIN_GROUP_SIZE", 5)

WHITENOISE_USE_FINDERS = DEBUG

# Content-Security-Policy on every response (backend/middleware.py). Nothing of ours runs inline script;
# the admin needs inline style attributes; the API docs (Swagger UI) need its inline style and, until its
# files are served from our static files, the CDN it loads from.
CSP_DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_INLINE_STYLES = CSP_DEFAULT_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
CSP_POLICIES = {
    # The result bars set their width in a style attribute; <style> elements stay refused.
    "/enkat/resultat/": CSP_DEFAULT_POLICY + "; style-src-attr 'unsafe-inline'",
    "/admin/": _INLINE_STYLES,
    # Swagger UI and ReDoc come from our own static files (drf-spectacular-sidecar); they set styles inline
    # and ReDoc searches in a web worker.
    "/api/docs/": _INLINE_STYLES,
    "/api/redoc/": _INLINE_STYLES + "; worker-src 'self' blob:",
}
SECURE_REFERRER_POLICY = "same-origin"
# Database sessions, loaded with one plain statement (backend/sessions.py).
SESSION_ENGINE = "backend.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz(/|$)"]  # health checks come over plain HTTP from inside the network
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if envbool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "backend.logging.JsonFormatter"},
    },
    "filters": {"redact_tokens": {"()": "backend.logging.RedactTokensFilter"}},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["redact_tokens"]}
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # runserver's request lines go through the same filter (no magic-link token in them).
        "django.server": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}
