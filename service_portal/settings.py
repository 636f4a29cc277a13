"""Settings for Service Portal, read from the environment.

Development needs no variables: SQLite under ``var/``, DEBUG on, e-mails saved under ``var/mail/``.
Production sets at least ``DEBUG=0``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``DATABASE_URL``; a
missing or malformed value stops start-up with a message naming the variable (see
docs/operations.md).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from service_portal.apps import PORTAL_APPS
from service_portal.env import env_bool, env_int, env_list, env_str, parse_email_url
from service_portal.startup import DEVELOPMENT_SECRET_KEY

# The portal's own templates, static files and shared catalogue live in this package, like each
# app's: a checkout and an installed wheel have the same layout. BASE_DIR (the checkout) only
# gives the default VAR_DIR; an installed portal sets VAR_DIR (docs/operations.md).
PORTAL_DIR = Path(__file__).resolve().parent
BASE_DIR = PORTAL_DIR.parent
VAR_DIR = Path(env_str("VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", True)

# Without SECRET_KEY development uses a public key: refused when DEBUG is off, and by the
# servers (wsgi.py, asgi.py) unless it is `manage.py runserver` on loopback (startup.py).
SECRET_KEY = env_str("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set (not the development key) when DEBUG is off."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the portal's host names when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Public address of the portal, used in links inside e-mails and PDFs.
SITE_URL = (env_str("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
COMPANY_NAME = env_str("COMPANY_NAME") or "Service Portal"
# How long the acceptance link in an offer e-mail works (days).
OFFER_LINK_DAYS = env_int("OFFER_LINK_DAYS", 30, minimum=1)
# The same for a quote sent for acceptance (quotes.links).
QUOTE_LINK_DAYS = env_int("QUOTE_LINK_DAYS", 30, minimum=1)
# The customer's acceptance link is rate-limited per client address and per offer (requests in
# a window of OFFER_LINK_RATE_WINDOW_SECONDS; over the limit: HTTP 429 with Retry-After).
OFFER_LINK_RATE_WINDOW_SECONDS = env_int("OFFER_LINK_RATE_WINDOW_SECONDS", 600, minimum=1)
OFFER_LINK_RATE_PER_ADDRESS = env_int("OFFER_LINK_RATE_PER_ADDRESS", 60, minimum=1)
OFFER_LINK_RATE_PER_OFFER = env_int("OFFER_LINK_RATE_PER_OFFER", 30, minimum=1)

INSTALLED_APPS = [
    "modeltranslation",  # must precede django.contrib.admin
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "axes",
    *PORTAL_APPS,
    # After the portal's apps: a catalogue listed earlier wins, and DRF's Italian would
    # otherwise reword Django's form messages (api/messages.py keeps Django's wording).
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served by the portal itself (no CDN)
]

MIDDLEWARE = [
    # Outermost: work kept for after the response runs once the server has sent all of it.
    "service_portal.tasks.AfterResponseMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "service_portal.cache_control.NoStoreMiddleware",  # before WhiteNoise: static files keep theirs
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.IdleSessionMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    # 413 in the reader's language, before any view or CSRF check reads the body.
    "service_portal.request_size.RequestSizeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.OnboardingMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "service_portal.urls"
WSGI_APPLICATION = "service_portal.wsgi.application"
ASGI_APPLICATION = "service_portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,  # service_portal/templates/ holds base.html and the shared partials
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "service_portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
_default_db_url = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
_db_url = env_str("DATABASE_URL") or _default_db_url
try:
    _db = dj_database_url.parse(_db_url, conn_max_age=env_int("CONN_MAX_AGE", 60, minimum=0))
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
if _db["ENGINE"] not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://) or SQLite.")
if _db["ENGINE"] == "django.db.backends.sqlite3":
    if _db["NAME"] != ":memory:":
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)  # a fresh clone has no var/
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN: concurrent writers queue instead of failing.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    _db["CONN_HEALTH_CHECKS"] = True
    # Behind PgBouncer in transaction mode a cursor cannot outlive its transaction: the exports'
    # chunked reads then fetch with plain queries (docs/operations.md, Managed PostgreSQL).
    _db["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DISABLE_SERVER_SIDE_CURSORS", False)
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------------------
_redis_url = env_str("REDIS_URL")
if _redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# With Redis, sessions are read from it and written through to the database (a signed-in page
# reads no session row; losing Redis logs nobody out): service_portal/sessions.py.
if _redis_url:
    SESSION_ENGINE = "service_portal.sessions"
# Where the rate limits count (service_portal/ratelimit.py): in Redis when there is one, in
# the database otherwise; never in a process's own memory (N workers would allow N times the
# rate).
RATELIMIT_STORE = "cache" if _redis_url else "database"

# --- The client's address behind reverse proxies (service_portal/client_ip.py) -------------
# How many proxies in front of the app write the client's address into PROXY_HEADER (nginx as
# documented: 1). 0 reads REMOTE_ADDR only: then a proxy's clients would all share its address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
PROXY_HEADER = env_str("PROXY_HEADER") or "X-Forwarded-For"
if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]{0,63}", PROXY_HEADER):
    raise ImproperlyConfigured(f"PROXY_HEADER must be a header name, got {PROXY_HEADER!r}.")

# --- Authentication -----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out username+address before any password is checked.
# force_login in tests picks the first backend with get_user: ModelBackend.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.AddressLimitBackend",  # guessing across usernames from one address
    "django.contrib.auth.backends.ModelBackend",
    "accounts.backends.FirstLoginCodeBackend",
]
# Lockout per username+address after repeated failures, lifted after a cool-off (not permanent):
# someone guessing from elsewhere never locks the account's owner out. The cool-off counts from
# the lockout, not from the last attempt, so knocking during it does not prolong it.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "service_portal.client_ip.client_ip"
# The name axes stores: an account's username, or a keyed hash of anything else (a code or a
# password typed in the wrong field is never kept in clear).
AXES_USERNAME_CALLABLE = "accounts.audit.axes_username"
# Failed logins from one address across all usernames: after this many, growing waits.
LOGIN_FREE_FAILURES_PER_ADDRESS = env_int("LOGIN_FREE_FAILURES_PER_ADDRESS", 30, minimum=1)
LOGIN_ADDRESS_MAX_WAIT_SECONDS = env_int("LOGIN_ADDRESS_MAX_WAIT_SECONDS", 3600, minimum=1)
# The identification code for a new user's first login is valid this many days.
FIRST_LOGIN_CODE_DAYS = env_int("FIRST_LOGIN_CODE_DAYS", 7, minimum=1)
# Password recovery: e-mailed code lifetime, code issued by an administrator, throttling.
RECOVERY_CODE_MINUTES = env_int("RECOVERY_CODE_MINUTES", 15, minimum=1)
RECOVERY_ADMIN_CODE_HOURS = env_int("RECOVERY_ADMIN_CODE_HOURS", 24, minimum=1)
RECOVERY_FREE_FAILURES = env_int("RECOVERY_FREE_FAILURES", 3, minimum=1)
RECOVERY_FREE_REQUESTS = env_int("RECOVERY_FREE_REQUESTS", 5, minimum=1)
RECOVERY_BASE_WAIT_SECONDS = env_int("RECOVERY_BASE_WAIT_SECONDS", 30, minimum=1)
RECOVERY_MAX_WAIT_SECONDS = env_int("RECOVERY_MAX_WAIT_SECONDS", 24 * 3600, minimum=1)
RECOVERY_FAILURE_WINDOW_SECONDS = env_int("RECOVERY_FAILURE_WINDOW_SECONDS", 24 * 3600, minimum=60)
# Recovery answers never faster than this, whether or not the username exists.
RECOVERY_MIN_RESPONSE_SECONDS = float(env_str("RECOVERY_MIN_RESPONSE_SECONDS") or "0.4")
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 8 * 3600, minimum=300)
# The age counts from the last request (an idle timeout): accounts.middleware.IdleSessionMiddleware
# moves the expiry at most every SESSION_REFRESH_SECONDS instead of writing the session on every
# page (SESSION_SAVE_EVERY_REQUEST stays off).
SESSION_REFRESH_SECONDS = env_int("SESSION_REFRESH_SECONDS", 60, minimum=0)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No script reads the language; it is sent with top-level navigation only (Secure below).
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE") or "it"
# Italian first: it is the default and the first fallback of translated master data.
LANGUAGES = [
    ("it", _("Italian")),
    ("en", _("English")),
    ("de", _("German")),
    ("fr", _("French")),
    ("es", _("Spanish")),
]
# The portal's shared catalogue wins over every other one (Django's own included).
LOCALE_PATHS = [PORTAL_DIR / "locale"]
# Day-first dates in English too (29/11/2026): service_portal/formats/en/formats.py.
FORMAT_MODULE_PATH = ["service_portal.formats"]
TIME_ZONE = env_str("TIME_ZONE") or "Europe/Rome"
USE_I18N = True
USE_TZ = True
MODELTRANSLATION_DEFAULT_LANGUAGE = "it"
# A master-data name missing in the reader's language shows the Italian one, then the English one.
MODELTRANSLATION_LANGUAGES = tuple(code for code, _name in LANGUAGES)
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("it", "en")}
# The admin's translation tabs: jQuery UI from the portal (static/vendor), not the CDN that the
# CSP refuses. modeltranslation reads JQUERY_UI_URL (without its MODELTRANSLATION_ prefix).
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"

# --- Static and uploaded files ------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Each app's static/ folder, service_portal's included; `make assets` copies the npm packages'
# files into service_portal/static/vendor/ (Makefile, VENDOR_ASSETS), so they ship in the wheel.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or not env_bool("STATIC_MANIFEST", True)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded files (receipts, signatures) live outside the web root and are served by views that
# check permissions; MEDIA_URL is never routed to the file system.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Whole request bodies, files included (service_portal/request_size.py): receipts are at most
# 5 MB, imports 10 MB; nginx in docs/operations.md allows 12 MB too.
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 12 * 1024 * 1024, minimum=1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# Photos and documents of interventions (calls/services/media.py, issue 21): the upload limits
# (a phone's photo is 2-8 MB; HEIC less), the long side photos are resized to, the thumbnails'.
ATTACHMENT_PHOTO_MAX_BYTES = env_int("ATTACHMENT_PHOTO_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
ATTACHMENT_DOCUMENT_MAX_BYTES = env_int(
    "ATTACHMENT_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024
)
ATTACHMENT_PHOTO_MAX_SIDE = env_int("ATTACHMENT_PHOTO_MAX_SIDE", 2048, minimum=320)
ATTACHMENT_THUMBNAIL_SIDE = 320
# Rows in one CSV (streamed) or Excel (written to a temporary file) export; above, the user
# narrows the filters.
EXPORT_MAX_ROWS_CSV = env_int("EXPORT_MAX_ROWS_CSV", 100_000, minimum=1)
EXPORT_MAX_ROWS_XLSX = env_int("EXPORT_MAX_ROWS_XLSX", 10_000, minimum=1)

# --- E-mail ---------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "service@localhost"
SERVER_EMAIL = env_str("SERVER_EMAIL") or DEFAULT_FROM_EMAIL
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH") or str(VAR_DIR / "mail")  # EMAIL_URL file:// too
_email_url = env_str("EMAIL_URL")
if _email_url:
    globals().update(parse_email_url("EMAIL_URL", _email_url))
else:
    # Development: each e-mail saved under var/mail/ with one line on the console
    # (service_portal/mail_files.py); production sets EMAIL_URL.
    EMAIL_BACKEND = env_str("EMAIL_BACKEND") or "service_portal.mail_files.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST") or "localhost"
    EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER") or ""
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD") or ""
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)

# --- Working calendar and SLA clocks (contracts/calendar.py, docs/contracts.md) ------------
# The business hours the SLA clocks count: the working weekdays (1 = Monday ... 7 = Sunday)
# and the day's working periods ("08:30-12:30,14:00-18:00"), in TIME_ZONE. The country's
# public holidays (``holidays`` library) and the company closures (master data) are not
# working days.
SLA_WORKING_DAYS = [int(d) for d in env_list("SLA_WORKING_DAYS", ["1", "2", "3", "4", "5"])]
SLA_WORKING_HOURS = env_str("SLA_WORKING_HOURS") or "08:30-12:30,14:00-18:00"
SLA_HOLIDAY_COUNTRY = env_str("SLA_HOLIDAY_COUNTRY") or "IT"
# The operators are warned this many business minutes before a deadline passes (once per call
# and clock), by the scheduled job `sla_warnings`.
SLA_WARNING_MINUTES = env_int("SLA_WARNING_MINUTES", 120, minimum=1)
# Where the warnings go; empty: every active operator and administrator with an e-mail.
SLA_WARNING_RECIPIENTS = env_list("SLA_WARNING_RECIPIENTS", [])

# The log of the scheduled jobs (service_portal.JobRun) keeps this many days.
JOB_RUNS_KEEP_DAYS = env_int("JOB_RUNS_KEEP_DAYS", 90, minimum=1)

# --- Background tasks (PDF + e-mail to customers) -----------------------------------------
# "immediate" runs a task in the request that queues it (development, tests); "database" stores
# it for the worker started with `manage.py db_worker` (production, see docs/operations.md): no
# request then waits for a mail server. The default follows DEBUG; `check --deploy` warns about
# "immediate" with DEBUG off.
_tasks_backend = (env_str("TASKS_BACKEND") or ("immediate" if DEBUG else "database")).lower()
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
if _tasks_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured("TASKS_BACKEND must be 'immediate' or 'database'.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_tasks_backend]}}

# --- Webhooks to the ERP (events/, docs/integration.md) -------------------------------------
# A failed delivery is tried again after BASE seconds, then 2x, 4x... at most MAX; an endpoint
# failing DISABLE_AFTER times in a row is disabled (its events wait until it is enabled again).
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 30, minimum=1)
WEBHOOK_RETRY_MAX_SECONDS = env_int("WEBHOOK_RETRY_MAX_SECONDS", 3600, minimum=1)
WEBHOOK_DISABLE_AFTER = env_int("WEBHOOK_DISABLE_AFTER", 10, minimum=1)

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]

# A strict policy: no inline scripts or styles anywhere; every asset comes from the portal.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- REST API (api app, docs/api.md) ------------------------------------------------------
# Requests per token, counted in the default cache (shared by all processes only with Redis).
# "<number>/<second|minute|hour|day>"; empty: no limit.
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "1200/minute").strip()
if API_THROTTLE_RATE and not re.fullmatch(
    r"[1-9]\d*/(s|sec|second|m|min|minute|h|hour|d|day)", API_THROTTLE_RATE
):
    raise ImproperlyConfigured(
        f"API_THROTTLE_RATE must look like 1200/minute, got {API_THROTTLE_RATE!r}."
    )
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.authentication.HasScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.handle",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    # OPTIONS answers 405: the OpenAPI schema describes the API (and the metadata view crashes
    # on the by-code routes).
    "DEFAULT_METADATA_CLASS": None,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Service Portal API",
    "DESCRIPTION": "The installed base for the ERP: read, incremental sync, upserts by code.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets named once (a call's status and an intervention's state share theirs).
    "ENUM_NAME_OVERRIDES": {
        "ServiceStateEnum": "calls.models.State",
        "OfferStateEnum": "orders.models.OfferState",
        "OrderStateEnum": "orders.models.OrderState",
        "InvoiceStateEnum": "invoicing.models.InvoiceState",
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

PAGE_SIZE = env_int("PAGE_SIZE", 25, minimum=5)
# Whether a stock move may take a warehouse below zero (a van used before its transfer was
# recorded); off by default: the move is refused with a message saying how much is left.
STOCK_ALLOW_NEGATIVE = env_bool("STOCK_ALLOW_NEGATIVE", False)
# Lists count their results up to this many rows (service_portal/pagination.py).
LIST_COUNT_LIMIT = env_int("LIST_COUNT_LIMIT", 10_000, minimum=100)

# VAT rate (%) proposed for new quotes; each quote keeps the rate it was made with.
try:
    DEFAULT_VAT_RATE = Decimal(env_str("DEFAULT_VAT_RATE") or "22")
except InvalidOperation:
    raise ImproperlyConfigured("DEFAULT_VAT_RATE must be a number such as 22 or 10.") from None
if not Decimal(0) <= DEFAULT_VAT_RATE <= Decimal(100):
    raise ImproperlyConfigured("DEFAULT_VAT_RATE must be between 0 and 100.")

# Rate per km (€) of a technician's kilometres: a technician never sets it (issue 17), the office
# may record another rate on an expense (0-10).
try:
    KM_RATE = Decimal(env_str("KM_RATE") or "0.55")
except InvalidOperation:
    raise ImproperlyConfigured("KM_RATE must be a number such as 0.55.") from None
if not Decimal(0) <= KM_RATE <= Decimal(10):
    raise ImproperlyConfigured("KM_RATE must be between 0 and 10.")

# How each expense kind (calls.models.ExpenseKind) is billed to the customer and whether the
# technician is reimbursed (docs/invoicing.md, "Expenses"). A company policy set once with the
# accountant, versioned with the code like the kinds themselves, so it is a settings table and
# not master data: "rebill" is "no" (reimbursed to the technician only), "cost" (at cost),
# "markup" (at cost plus "percent" %), "fixed" ("price" per expense) or, for kilometres only,
# "price_list" (the km rate of the pricing order); "reimburse" says whether the technician gets
# the money back (the expenses report). Kilometres are reimbursed at KM_RATE.
EXPENSE_RULES = {
    "km": {"rebill": "price_list", "reimburse": True},
    "meal": {"rebill": "no", "reimburse": True},
    "lodging": {"rebill": "cost", "reimburse": True},
    "toll": {"rebill": "cost", "reimburse": True},
    "parking": {"rebill": "cost", "reimburse": True},
    "other": {"rebill": "cost", "reimburse": True},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "INFO"},
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}
