"""Settings for the Shenhe environmental remediation case management system.

Everything that differs between machines is read from the environment (django-environ);
see README.md for the variables. Without any, the app runs on an SQLite file inside the
project folder, which is what the README's run command uses.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env file is optional; real deployments set the variables themselves.
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# A development key is tolerated only while DEBUG is on: a production process that forgot
# its SECRET_KEY must not start with a key that is public in this repository.
_DEVELOPMENT_SECRET_KEY = "django-insecure-shenhe-development-only"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not DEBUG and (not SECRET_KEY or SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG is off, to a random value of at least 32 characters "
        "(set DEBUG=true for development)."
    )
SECRET_KEY = SECRET_KEY or _DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

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
    "template_partials",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "core",
    "shenhe_env",
    "communities",
    "cases",
    "notifications",
    "volunteers",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "shenhe_env.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shenhe_env.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shenhe_env.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # template_partials: htmx asks for one {% partialdef %} of a page ("page.html#name").
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [
                        (
                            "django.template.loaders.cached.Loader",
                            [
                                "django.template.loaders.filesystem.Loader",
                                "django.template.loaders.app_directories.Loader",
                            ],
                        )
                    ],
                )
            ],
            "builtins": ["template_partials.templatetags.partials"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shenhe_env.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "shenhe_env.wsgi.application"
ASGI_APPLICATION = "shenhe_env.asgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take the write lock when a transaction starts and wait for it, so that two people acting at
    # once queue up (the second then sees the first one's change) instead of failing on "locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://shenhe")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: Simplified Chinese first, English complete; times in Shenyang's zone.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", _("Simplified Chinese")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security headers in every mode.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Everything is served from this origin (vendored assets, no CDN). Inline style attributes
# stay allowed because the Django admin's templates use a few; scripts never run inline.
CONTENT_SECURITY_POLICY = env.str(
    "CONTENT_SECURITY_POLICY",
    default=(
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
)

# HTTPS-only protections: on in production (DEBUG off) unless a deployment says otherwise,
# e.g. the test suite, which talks plain HTTP to the test client.
HTTPS_ONLY = env.bool("HTTPS_ONLY", default=not DEBUG)
if HTTPS_ONLY:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    # Off unless asked for: the district's parent domain hosts other services.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
    # Load balancers probe the health check over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# The case workflow (DESIGN.md §3). The box around Shenhe District that case coordinates must fall in.
DISTRICT_BOUNDS = {"latitude": (41.70, 41.90), "longitude": (123.35, 123.65)}
CASE_REOPEN_DAYS = env.int("CASE_REOPEN_DAYS", default=30)
# The most an extension may add to a case's resolve deadline: days, or working days on a working-time clock.
CASE_EXTENSION_MAX_DAYS = env.int("CASE_EXTENSION_MAX_DAYS", default=90)
# Working hours of a working day, for categories whose clock is `working` (DESIGN.md §11; cases.worktime):
# by default the Shenyang civil-service day, 08:30–12:00 and 13:00–17:00 (7.5 hours), local time (TIME_ZONE);
# e.g. WORKING_HOURS=08:30-11:30,13:30-17:30 for a summer timetable. Which days are working days comes
# from the weekdays and the admin's calendar (CalendarDay).
WORKING_HOURS = tuple(
    tuple(span.strip().split("-", 1)) for span in env.list("WORKING_HOURS", default=["08:30-12:00", "13:00-17:00"])
)
DUPLICATE_RADIUS_METRES = env.int("DUPLICATE_RADIUS_METRES", default=200)
DUPLICATE_WINDOW_DAYS = env.int("DUPLICATE_WINDOW_DAYS", default=14)
# A department or street with fewer cases behind a ranked figure than this is listed but not ranked.
DASHBOARD_RANKING_MIN_CASES = env.int("DASHBOARD_RANKING_MIN_CASES", default=5)

# --- Processes (DESIGN.md §8): the worker, the schedule, e-mail -----------------------------------
# django-tasks with its database backend: the Procfile's `worker` (manage.py db_worker) runs the jobs,
# its `schedule` (manage.py run_schedule) enqueues the periodic ones. No other service is needed.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# /healthz turns 503 when no worker has finished a job for this long (the schedule gives it one a minute).
WORKER_STALE_AFTER_SECONDS = env.int("WORKER_STALE_AFTER_SECONDS", default=5 * 60)
# E-mail (notifications): e.g. smtp://user:password@mail.example:25, smtp+tls://…, consolemail://.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="沈河区环境整治 <noreply@shenhe.example>")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# The address people open the app at, for links in e-mails and robot messages.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# How long a department's robot webhook may take to answer, in seconds.
NOTIFICATION_WEBHOOK_TIMEOUT = env.float("NOTIFICATION_WEBHOOK_TIMEOUT", default=10.0)
# A delivery that keeps failing is tried this many times (backoff 1, 2, 4 … minutes, at most an hour).
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=8)

# Volunteer and participant imports (volunteers/imports.py, docs/imports.md).
# True runs an import inside the upload request (tests); False queues it for the worker.
VOLUNTEER_IMPORTS_INLINE = env.bool("VOLUNTEER_IMPORTS_INLINE", default=False)
# The most data rows one uploaded file may hold.
VOLUNTEER_IMPORT_MAX_ROWS = env.int("VOLUNTEER_IMPORT_MAX_ROWS", default=20_000)
# The largest file accepted for import, in bytes.
VOLUNTEER_IMPORT_MAX_BYTES = env.int("VOLUNTEER_IMPORT_MAX_BYTES", default=10 * 1024 * 1024)

# --- REST API (/api/v1/) and Open311 (/open311/v2/) ---------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",  # the browser, with CSRF
        "rest_framework.authentication.TokenAuthentication",  # systems: POST /api/v1/auth/token/
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.StandardPagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    # Generous for signed-in staff, tight for anonymous clients, sign-in attempts and Open311 posts.
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_THROTTLE_USER", default="3000/hour"),
        "anon": env.str("API_THROTTLE_ANON", default="60/hour"),
        "token": env.str("API_THROTTLE_TOKEN", default="20/minute"),
        "token_username": env.str("API_THROTTLE_TOKEN_USERNAME", default="10/minute"),
        "open311_post": env.str("API_THROTTLE_OPEN311_POST", default="30/hour"),
    },
    "EXCEPTION_HANDLER": "core.api.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "core.schema.ShenheAutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "ORDERING_PARAM": "ordering",
    # Proxies in front of the app whose X-Forwarded-For may be trusted for throttling (0: none, so a
    # client cannot pick its own address). Set it to the number of reverse proxies in production.
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Shenhe environmental remediation API",
    "DESCRIPTION": (
        "Cases of the district's environmental remediation drive: file them, follow them and take "
        "them around the closed loop (dispatch, report in, resolve, verify). Authenticate with a "
        "token from POST /api/v1/auth/token/ (header `Authorization: Token <token>`) or a browser "
        "session. Every error is a JSON body {code, message, fields?}."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CaseStateEnum": "cases.choices.CaseState",
        "CaseSourceEnum": "cases.choices.CaseSource",
        "IntakeSourceEnum": ["hotline", "api", "volunteer", "patrol"],
        "PairingKindEnum": "volunteers.choices.PairingKind",
    },
}
