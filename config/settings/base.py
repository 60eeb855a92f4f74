"""Settings shared by every environment. Values come from the environment (django-environ)."""

import os
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    GOVCREDIT_ALLOW_CLOCK_OVERRIDE=(bool, False),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env("DEBUG")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "workflow.api.errors.csrf_failure"  # JSON under /api/

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the form renderer below finds Django's widget templates through it
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "viewflow",
    "viewflow.workflow",
    "workflow",
    "django_q",  # after workflow: workflow's `qcluster` command (stops on SIGTERM) replaces django_q's
    "contracts",
    "repair",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "workflow.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "workflow.api.middleware.ApiInputMiddleware",  # control characters in /api/ URLs: JSON 400
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# Widget templates go through TEMPLATES, so the site's templates/ may replace one: every select's empty
# choice reads 请选择 (templates/django/forms/widgets/select_option.html). The renderer writes <select>
# in Python, the same bytes without a template per option (workflow/form_renderer.py).
FORM_RENDERER = "workflow.form_renderer.FormRenderer"

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
                "django.template.context_processors.i18n",
                "workflow.context_processors.govcredit",
            ],
        },
    }
]

# SQLite file in the project folder unless DATABASE_URL says otherwise.
DATABASE_URL = env("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"  # empty means unset
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
# Seconds a process keeps its database connection between requests (0: a new connection per request,
# Django's default). A gunicorn sync worker serves one request at a time, so it holds one connection;
# reusing it made the list pages 1.4-1.6x faster under wrk (docs/performance.md). Health-checked first.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The web server and the q2 workers share the file. Take the write lock when a transaction begins
    # (a deferred transaction that upgrades later fails at once with "database is locked" instead of
    # waiting), wait up to 20 s for it, and journal in WAL mode so that readers never block.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "workflow.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["workflow.auth.LockoutModelBackend", "workflow.auth.RolePermissionBackend"]
LOGIN_URL = "login"
# Sessions in the database, read with one statement written once (workflow/sessions.py).
SESSION_ENGINE = "workflow.sessions"
LOGIN_REDIRECT_URL = "staff-home"
LOGOUT_REDIRECT_URL = "portal-home"
# Lock a username *from one client address* after this many failed logins, for the window; each
# further lockout of the same pair within a day after the last one doubles it (up to LOGIN_LOCKOUT_MAX_MINUTES).
LOGIN_LOCKOUT_ATTEMPTS = env.int("LOGIN_LOCKOUT_ATTEMPTS", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
LOGIN_LOCKOUT_MAX_MINUTES = env.int("LOGIN_LOCKOUT_MAX_MINUTES", default=24 * 60)
# Password spraying: failed logins from one client address, whatever the usernames, per window.
LOGIN_FAILURES_PER_IP = env.int("LOGIN_FAILURES_PER_IP", default=20)
# Reverse proxies in front of the app that append to X-Forwarded-For (nginx: 1). 0 = use REMOTE_ADDR.
GOVCREDIT_TRUSTED_PROXIES = env.int("GOVCREDIT_TRUSTED_PROXIES", default=0)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Uploaded files and generated documents live outside the web root and are only ever served
# through views that check permission.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="govcredit@localhost")
# SMS goes through a pluggable gateway; the default backend only writes to the log.
GOVCREDIT_SMS_BACKEND = env("GOVCREDIT_SMS_BACKEND", default="workflow.notifications.LogSmsBackend")

# The clock: GOVCREDIT_TODAY=YYYY-MM-DD moves "today" (10:00 Asia/Shanghai) only when this is on.
GOVCREDIT_ALLOW_CLOCK_OVERRIDE = env("GOVCREDIT_ALLOW_CLOCK_OVERRIDE")


def public_url_default(environ) -> str:
    """The public base URL when GOVCREDIT_PUBLIC_URL is not set: where `make run` serves (HOST/PORT).

    A wildcard bind address is not an address a reader can open, so it becomes 127.0.0.1.
    """
    host = environ.get("HOST") or "127.0.0.1"
    if host in ("0.0.0.0", "::", "[::]"):  # noqa: S104 - a bind address is translated, not bound
        host = "127.0.0.1"
    return f"http://{host}:{environ.get('PORT') or '8000'}"


# Public base URL printed in QR codes on documents (the /verify/<code> page); follows HOST/PORT.
GOVCREDIT_PUBLIC_URL = env("GOVCREDIT_PUBLIC_URL", default=public_url_default(os.environ))
# Signing of issued documents (workflow/signing.py, docs/documents.md): per-issuer keys in a directory;
# without one, development uses a demo CA and keys generated in GOVCREDIT_SIGNING_DEMO_DIR (never in production).
GOVCREDIT_SIGNING_DIR = env("GOVCREDIT_SIGNING_DIR", default="")
GOVCREDIT_SIGNING_PASSPHRASE = env("GOVCREDIT_SIGNING_PASSPHRASE", default="")
GOVCREDIT_SIGNING_DEMO = env.bool("GOVCREDIT_SIGNING_DEMO", default=True)
GOVCREDIT_SIGNING_DEMO_DIR = env("GOVCREDIT_SIGNING_DEMO_DIR", default=str(BASE_DIR / "var" / "signing-demo"))
# Outbox destinations: name -> transport. The default transport records the delivery in the log.
GOVCREDIT_OUTBOX_DESTINATIONS = {
    "city_credit_platform": {
        "backend": env("OUTBOX_CITY_BACKEND", default="workflow.outbox.LogTransport"),
        "url": env("OUTBOX_CITY_URL", default=""),
    },
}
GOVCREDIT_OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "workflow.api.errors.exception_handler",
    # Size and depth limits on JSON bodies (413); forms and uploads as DRF parses them.
    "DEFAULT_PARSER_CLASSES": [
        "workflow.api.parsing.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "govcredit API",
    "DESCRIPTION": "Government contract supervision and credit repair",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a field called "kind"; name each choice set in the schema.
    "ENUM_NAME_OVERRIDES": {
        "AgencyKindEnum": "workflow.models.parties.Agency.Kind",
        "ContractKindEnum": "contracts.models.contracts.Contract.Kind",
        "MilestoneKindEnum": "contracts.models.milestones.Milestone.Kind",
    },
}

# django-q2. The ORM broker needs no extra server; REDIS_URL switches to Redis.
# retry > timeout, or a long task is delivered twice; workers recycle to bound memory (PDF rendering).
REDIS_URL = env("REDIS_URL", default="")
Q_CLUSTER = {
    "name": "govcredit",
    "workers": env.int("Q_WORKERS", default=2),
    # A worker is replaced after Q_RECYCLE tasks ...
    "recycle": env.int("Q_RECYCLE", default=50),
    # ... and by memory: a worker whose peak RSS (getrusage ru_maxrss, KiB) reached Q_MAX_RSS_KB (1 GiB) is
    # replaced after its task (django_q/worker.py rss_check). WeasyPrint with CJK fonts keeps tens of MiB per
    # render; at 700 MiB workers were replaced every ~7 documents and the cold starts halved the throughput
    # (bench/render_bench.py, docs/performance.md). Plan 1.25 GiB of memory per worker.
    "max_rss": env.int("Q_MAX_RSS_KB", default=1024 * 1024),
    "timeout": 300,
    "retry": 420,
    "max_attempts": 3,
    "queue_limit": 50,
    "catch_up": False,
    "label": "Jobs",
    "orm": "default",
}
# workflow.ratelimit: "db" (a counter row per key) or "redis" (INCR with expiry).
GOVCREDIT_RATELIMIT_BACKEND = env("GOVCREDIT_RATELIMIT_BACKEND", default="redis" if REDIS_URL else "db")

# `manage.py qcluster` (workflow/management/commands/qcluster.py): seconds a stopping cluster waits for
# the task at hand before it kills its workers (the task is then delivered again).
GOVCREDIT_QCLUSTER_STOP_GRACE = env.float("GOVCREDIT_QCLUSTER_STOP_GRACE", default=8.0)
if REDIS_URL:
    Q_CLUSTER.pop("orm")
    Q_CLUSTER["redis"] = REDIS_URL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}

# Contract warnings: the "payment due soon" horizon and the levels by lateness are rules
# (warning.payment.due_soon, warning.levels.<rule>; contracts/migrations/0009), editable by supervisors.

# viewflow flows whose tasks appear in the staff inbox (dotted paths); apps add theirs.
GOVCREDIT_FLOWS: list[str] = [
    "contracts.disposal.flows.DisposalFlow",
    "contracts.disposal.flows.EscalationFlow",
    "contracts.complaints.flows.ComplaintFlow",
    "repair.flows.RepairFlow",
]

# Complaint column (政府违约失信投诉专栏): abuse controls and the office that receives complaints.
GOVCREDIT_COMPLAINT_LIMIT_PER_IP_HOUR = env.int("GOVCREDIT_COMPLAINT_LIMIT_PER_IP_HOUR", default=5)
GOVCREDIT_COMPLAINT_LIMIT_PER_MOBILE_DAY = env.int("GOVCREDIT_COMPLAINT_LIMIT_PER_MOBILE_DAY", default=3)
# Failed tracking look-ups (code + mobile digits) per code and per client address, per hour.
GOVCREDIT_TRACKING_FAILURES_PER_CODE_HOUR = env.int("GOVCREDIT_TRACKING_FAILURES_PER_CODE_HOUR", default=10)
GOVCREDIT_TRACKING_FAILURES_PER_IP_HOUR = env.int("GOVCREDIT_TRACKING_FAILURES_PER_IP_HOUR", default=30)
GOVCREDIT_COMPLAINT_EVIDENCE_MAX_BYTES = env.int("GOVCREDIT_COMPLAINT_EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
GOVCREDIT_COMPLAINT_EVIDENCE_MAX_FILES = 5
# The agency (code) whose complaint office receives complaints and issues receipts and notices.
GOVCREDIT_COMPLAINT_OFFICE = env("GOVCREDIT_COMPLAINT_OFFICE", default="XFGW")

# Credit repair: reminders this many days before the earliest repair date; straight-through approval
# (即申即办) for these categories and deciding units (codes) when every obligation is confirmed in the
# unit's own systems, so that nothing is left for a person to verify.
GOVCREDIT_REPAIR_REMIND_DAYS_BEFORE = env.int("GOVCREDIT_REPAIR_REMIND_DAYS_BEFORE", default=7)
GOVCREDIT_REPAIR_STRAIGHT_THROUGH = {
    "categories": env.list("GOVCREDIT_REPAIR_STRAIGHT_THROUGH_CATEGORIES", default=["minor"]),
    "units": env.list("GOVCREDIT_REPAIR_STRAIGHT_THROUGH_UNITS", default=[]),
}
# Proofs of a repair application: each file, and all the files of one application together (per request
# and per case); the proofs of a refused application are deleted this many days after the refusal
# (their name, size and SHA-256 stay in the audit log).
GOVCREDIT_REPAIR_PROOF_MAX_BYTES = env.int("GOVCREDIT_REPAIR_PROOF_MAX_BYTES", default=10 * 1024 * 1024)
GOVCREDIT_REPAIR_PROOF_MAX_FILES = env.int("GOVCREDIT_REPAIR_PROOF_MAX_FILES", default=10)
GOVCREDIT_REPAIR_PROOF_MAX_TOTAL_BYTES = env.int("GOVCREDIT_REPAIR_PROOF_MAX_TOTAL_BYTES", default=40 * 1024 * 1024)
GOVCREDIT_REPAIR_REFUSED_PROOF_RETENTION_DAYS = env.int("GOVCREDIT_REPAIR_REFUSED_PROOF_RETENTION_DAYS", default=180)
# Excel imports: what an .xlsx may expand to, checked before it is parsed (workflow.spreadsheets).
GOVCREDIT_XLSX_MAX_MEMBERS = env.int("GOVCREDIT_XLSX_MAX_MEMBERS", default=500)
GOVCREDIT_XLSX_MAX_TOTAL_BYTES = env.int("GOVCREDIT_XLSX_MAX_TOTAL_BYTES", default=200 * 1024 * 1024)
GOVCREDIT_XLSX_MAX_SHARED_STRINGS_BYTES = env.int("GOVCREDIT_XLSX_MAX_SHARED_STRINGS_BYTES", default=50 * 1024 * 1024)
GOVCREDIT_XLSX_MAX_SHEET_BYTES = env.int("GOVCREDIT_XLSX_MAX_SHEET_BYTES", default=100 * 1024 * 1024)
GOVCREDIT_XLSX_MAX_RATIO = env.int("GOVCREDIT_XLSX_MAX_RATIO", default=100)

# OCDS publication feed (/api/v1/ocds/releases.json): the ocid prefix registered for this publisher,
# the publisher's name, and the identifier scheme of agencies without a USCC.
GOVCREDIT_OCDS_PREFIX = env("GOVCREDIT_OCDS_PREFIX", default="ocds-govcredit-")
GOVCREDIT_OCDS_PUBLISHER = env("GOVCREDIT_OCDS_PUBLISHER", default="X市社会信用体系建设领导小组办公室")
GOVCREDIT_OCDS_AGENCY_SCHEME = env("GOVCREDIT_OCDS_AGENCY_SCHEME", default="GOVCREDIT-AGENCY")
