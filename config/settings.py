"""Settings, read from the environment. Every variable is documented in .env.example."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SAMENKADER_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def development_secret_key(path: Path) -> str:
    """This checkout's own random key: made once under var/ (readable by its owner only), then reused.

    The web server and the worker start together, so the file appears in one
    step (written aside, then linked into place): whoever comes second reads
    the first one's key.
    """
    if not path.exists():
        from django.core.management.utils import get_random_secret_key

        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "w") as fh:
                fh.write(get_random_secret_key() + "\n")
            os.link(draft, path)
        except FileExistsError:
            pass
        except OSError:  # a filesystem without hard links
            if not path.exists():
                os.replace(draft, path)
        finally:
            draft.unlink(missing_ok=True)
    return path.read_text().strip()


DJANGO_ENV = os.environ.get("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"

# Production: required from the environment (the guard below). Development: a
# random key of this checkout's own, never a value published in the source.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and not PRODUCTION:
    SECRET_KEY = development_secret_key(VAR_DIR / "secret_key")
# Development keys that earlier versions published; a production key must never be one of them.
PUBLISHED_SECRET_KEYS = {"samenkader-development-only-not-secret"}
DEBUG = env_bool("DEBUG", not PRODUCTION)
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "samenkader-demo")
DEFAULT_DEMO_PASSWORD = "samenkader-demo"  # nosec B105 # the published demo password; production refuses it


def served_url(host: str, port: str) -> str:
    """The address `make run` serves on (HOST and PORT, as the Procfile passes them to runserver).

    A wildcard address is where the server listens, not where a browser goes: links then name this machine.
    """
    host = host.strip() or "127.0.0.1"
    if host in ("0.0.0.0", "::"):  # nosec B104 # compared with, never bound to
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port.strip() or '8000'}"


# Links in e-mails and in the signed PDF. Development: by default where `make run` serves, so a different
# HOST or PORT still gives links that work; production sets it (the guard below insists).
SITE_URL = (
    os.environ.get("SITE_URL") or served_url(os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000"))
).rstrip("/")
# By default the site answers to this machine and to the host of SITE_URL.
_SITE_HOST = urlsplit(SITE_URL).hostname or "localhost"
_DEFAULT_HOSTS = ",".join(
    dict.fromkeys(["127.0.0.1", "localhost", f"[{_SITE_HOST}]" if ":" in _SITE_HOST else _SITE_HOST])
)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", _DEFAULT_HOSTS).split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [SITE_URL] if SITE_URL.startswith("http") else []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_fsm",
    "agreements",
    "workflow",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# Embedded default: SQLite under var/, in WAL mode with IMMEDIATE transactions
# and a busy timeout, so that the web server and the worker can share it.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL's JIT compiler took 0.5-2 s per overview query that itself ran
        # in a tenth of that (bench/monitoring.py); our queries are short OLTP ones.
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "samenkader.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "agreements.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "workflow.members.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/admin/login/"

# --- Language and time ----------------------------------------------------
LANGUAGE_CODE = "nl"
# Our own date formats first, then Django's (config/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
# Plain inputs and textareas written without a template each (pages hold dozens of them).
FORM_RENDERER = "workflow.web.form_renderer.FormRenderer"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Amsterdam"
USE_TZ = True

# --- Static and uploaded files --------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
if not PRODUCTION:
    # WhiteNoise warns at every start when the folder is missing; collectstatic fills it in production.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Signed documents and previews: an S3-compatible store when a bucket is configured (every node then
# shares it), otherwise the local var/ folder (one node). Either way files leave only through the
# permission-checked download views, streamed: the bucket is never public and no bucket URL is handed out.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None  # None: Amazon S3 itself
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or None
    AWS_ACCESS_KEY_ID = os.environ.get("AWS_ACCESS_KEY_ID", "")
    AWS_SECRET_ACCESS_KEY = os.environ.get("AWS_SECRET_ACCESS_KEY", "")
    AWS_LOCATION = os.environ.get("AWS_LOCATION", "")  # a folder inside the bucket, e.g. "samenkader"
    AWS_DEFAULT_ACL = None  # the bucket's own (private) policy
    AWS_S3_FILE_OVERWRITE = False  # a second document under one name gets a name of its own
    AWS_QUERYSTRING_AUTH = True  # were a URL ever made, it would be signed and short-lived
    # Short timeouts and few retries: a request waits seconds, not minutes, when the store is away.
    from botocore.config import Config as _BotoConfig

    AWS_S3_CLIENT_CONFIG = _BotoConfig(
        connect_timeout=env_int("AWS_S3_TIMEOUT_SECONDS", 5),
        read_timeout=env_int("AWS_S3_TIMEOUT_SECONDS", 5) * 4,
        retries={"max_attempts": 2, "mode": "standard"},
        s3={"addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE", "path")},  # path: MinIO and most others
        signature_version="s3v4",
    )
    DEFAULT_FILE_STORAGE_BACKEND = "storages.backends.s3.S3Storage"
else:
    DEFAULT_FILE_STORAGE_BACKEND = "django.core.files.storage.FileSystemStorage"
STORAGES = {
    "default": {"BACKEND": DEFAULT_FILE_STORAGE_BACKEND},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Celery ---------------------------------------------------------------
# Without a broker URL the embedded default uses Celery's filesystem transport
# under var/, so `make run` needs no Redis.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_BROKER_FILESYSTEM_DIR = VAR_DIR / "broker"

# --- Cache ----------------------------------------------------------------
# Rate limits (the public verification page) must count across every web
# process: with Redis available the cache lives there; the embedded default
# runs one web process, for which memory is enough.
CACHE_URL = os.environ.get("CACHE_URL", "") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- E-mail ---------------------------------------------------------------
# Where people ask about joining or get help (the sign-in page shows it as a mailto link).
SUPPORT_EMAIL = os.environ.get("SUPPORT_EMAIL", "participatiecoalitie@samenkader.example")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Samenkader <noreply@samenkader.example>")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = Path(os.environ.get("EMAIL_FILE_PATH", VAR_DIR / "mail"))

# --- Logging --------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools narrate every rendering step at INFO.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Production guard -----------------------------------------------------
if PRODUCTION:
    problems = []
    if DEBUG:
        problems.append("DEBUG must be off in production")
    # Django's own deployment check asks the same: 50 characters, at least 5 different ones.
    if SECRET_KEY in PUBLISHED_SECRET_KEYS or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        problems.append("SECRET_KEY must be set to a random value of at least 50 characters")
    if DEMO_PASSWORD == DEFAULT_DEMO_PASSWORD and os.environ.get("DEMO_PASSWORD"):
        problems.append("DEMO_PASSWORD must not be the published demo password")
    if not os.environ.get("SITE_URL"):
        problems.append("SITE_URL must be the public address of the site (links in e-mails and PDFs)")
    if not os.environ.get("SEAL_PKCS12_PATH") or not Path(os.environ["SEAL_PKCS12_PATH"]).is_file():
        problems.append("SEAL_PKCS12_PATH must name the platform's seal certificate (a PKCS#12 file)")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems))

# --- Web pages: sign-in, lockout, client address, language ---------------
INSTALLED_APPS += ["axes"]
# Two-factor sign-in (django-otp): a TOTP device per person, and recovery codes as a static device.
# Before workflow: its admin module takes the devices off the admin again, which needs them registered first.
_workflow_position = INSTALLED_APPS.index("workflow")
INSTALLED_APPS[_workflow_position:_workflow_position] = [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
OTP_TOTP_ISSUER = "Samenkader"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Staff always sign in with a second step in production; elsewhere it is their choice unless set.
TWO_FACTOR_REQUIRED_FOR_STAFF = True if PRODUCTION else env_bool("TWO_FACTOR_REQUIRED_FOR_STAFF", False)
# Development only: people whose address ends in one of these domains are not made to set up two-factor
# sign-in, so the demo accounts (…@example.org) keep working with just the published password.
TWO_FACTOR_EXEMPT_EMAIL_DOMAINS = (
    []
    if PRODUCTION
    else [
        domain.strip().lower()
        for domain in os.environ.get("TWO_FACTOR_EXEMPT_EMAIL_DOMAINS", "example.org").split(",")
        if domain.strip()
    ]
)
# How long the code step may wait after the password step (seconds), and how many wrong codes it takes.
TWO_FACTOR_PENDING_SECONDS = 300
TWO_FACTOR_CODE_ATTEMPTS = 5
# First, so that everything after it (axes, the audit log) reads the client's address.
MIDDLEWARE.insert(0, "workflow.web.middleware.TrustedProxyMiddleware")
# Right after the client's address is known: every later step (and the tasks it queues) knows the request's id.
MIDDLEWARE.insert(1, "workflow.web.request_log.RequestLogMiddleware")
# One JSON line per request (request id, user id, method, route name, status, duration); on in production.
REQUEST_LOG_JSON = env_bool("REQUEST_LOG_JSON", PRODUCTION)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "workflow.web.middleware.UserLanguageMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "workflow.members.middleware.TwoFactorSetupRequiredMiddleware",
)
TEMPLATES[0]["OPTIONS"]["context_processors"] += [
    "workflow.web.context_processors.organisations",
    "workflow.web.context_processors.support",
]
AUTHENTICATION_BACKENDS = ["workflow.members.auth_backends.LockoutBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# How many proxies we run in front of the web processes (0: clients connect directly).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# The 6th failed sign-in for one account from one address locks that pair for a while.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 6)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "workflow.web.middleware.client_ip"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "workflow.members.auth_backends.lockout_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# Successful sign-ins are not logged with their address: nothing needs them (privacy statement).
AXES_DISABLE_ACCESS_LOG = True
LOGGING.setdefault("loggers", {})["axes"] = {"level": "WARNING"}
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True  # only the server reads it

# --- HTTP security headers (README, "Security headers") ---------------------
# Production: HTTPS only, and no cookie ever travels over plain HTTP. The one exception is a
# production-mode instance that only loopback addresses may reach (a drill or a benchmark on one
# machine): PLAIN_HTTP_ON_LOOPBACK turns the redirect, HSTS and Secure cookies off, and is refused
# unless every allowed host is a loopback address.
PLAIN_HTTP_ON_LOOPBACK = env_bool("PLAIN_HTTP_ON_LOOPBACK", False)
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
if PRODUCTION and PLAIN_HTTP_ON_LOOPBACK and not set(ALLOWED_HOSTS) <= LOOPBACK_HOSTS:
    raise ImproperlyConfigured(
        "Refusing to start in production: PLAIN_HTTP_ON_LOOPBACK is only for instances that answer on "
        f"loopback addresses ({', '.join(sorted(LOOPBACK_HOSTS))}), and ALLOWED_HOSTS names others"
    )
HTTPS_ONLY = PRODUCTION and not PLAIN_HTTP_ON_LOOPBACK
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = HTTPS_ONLY
if HTTPS_ONLY:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers probe the health check over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Joining the browsers' preload list binds every subdomain of the domain for good: that is the
        # domain owner's decision, not this application's, so the deployment check need not ask for it.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    if TRUSTED_PROXY_COUNT > 0:
        # Only behind our own proxies: the one nearest the client sets X-Forwarded-Proto (replacing
        # whatever the client sent), and Django then knows a request came in over HTTPS.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Everywhere (development too, so that the tests catch inline code): scripts, styles, images and
# fonts come from our own origin only; no inline <script>, no style="…" attribute, no plug-ins,
# no framing. templates/ keeps its scripts in static/js/ and its styles in static/css/.
INSTALLED_APPS += ["csp"]
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
# Powerful browser features the site never uses are switched off for it and anything it embeds.
MIDDLEWARE.insert(
    MIDDLEWARE.index("csp.middleware.CSPMiddleware") + 1,
    "django_permissions_policy.PermissionsPolicyMiddleware",
)
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
# API answers are personal and change with every action: no browser or proxy may keep them.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_permissions_policy.PermissionsPolicyMiddleware") + 1,
    "workflow.web.middleware.NoStoreMiddleware",
)
NO_STORE_PATH_PREFIXES = ["/api/"]

# An invitation link works this many days.
INVITATION_MAX_AGE_DAYS = env_int("INVITATION_MAX_AGE_DAYS", 14)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# Password reset requests: at most this many per client address, and per e-mail address typed, per window.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env_int("PASSWORD_RESET_LIMIT_PER_ADDRESS", 20)
PASSWORD_RESET_LIMIT_PER_ACCOUNT = env_int("PASSWORD_RESET_LIMIT_PER_ACCOUNT", 5)
PASSWORD_RESET_RATE_WINDOW_SECONDS = env_int("PASSWORD_RESET_RATE_WINDOW_SECONDS", 3600)

# --- Worker: notifications, reminders, expiry, sweeper (each concern's tasks.py) ----
# The Celery runtime itself (queues, acks_late, time limits) is in worker/celery.py.
CELERY_BEAT_SCHEDULE_FILENAME = os.environ.get("CELERY_BEAT_SCHEDULE_FILENAME") or str(VAR_DIR / "celerybeat-schedule")
# Seconds a web request may spend connecting to / publishing on the broker before it gives up
# (the outbox row then waits for the sweeper).
WORKER_BROKER_TIMEOUT = float(os.environ.get("WORKER_BROKER_TIMEOUT", "2"))
WORKER_SOFT_TIME_LIMIT = env_int("WORKER_SOFT_TIME_LIMIT", 60)
WORKER_TIME_LIMIT = env_int("WORKER_TIME_LIMIT", 90)
WORKER_DOCUMENTS_SOFT_TIME_LIMIT = env_int("WORKER_DOCUMENTS_SOFT_TIME_LIMIT", 300)
WORKER_DOCUMENTS_TIME_LIMIT = env_int("WORKER_DOCUMENTS_TIME_LIMIT", 360)
# Beat: how often the sweeper and the reminders run (seconds); expiry runs daily at this hour.
SWEEPER_INTERVAL_SECONDS = env_int("SWEEPER_INTERVAL_SECONDS", 120)
REMINDER_INTERVAL_SECONDS = env_int("REMINDER_INTERVAL_SECONDS", 3600)
EXPIRY_HOUR = env_int("EXPIRY_HOUR", 2)
# The hour (local time) of the daily overview for whoever chose it over immediate e-mails.
DIGEST_HOUR = env_int("DIGEST_HOUR", 7)
# Pending work older than this is re-queued by the sweeper; a row stuck in "sending"
# longer than the lease (more than the task's hard time limit) is taken back.
SWEEPER_GRACE_SECONDS = env_int("SWEEPER_GRACE_SECONDS", 60)
NOTIFICATION_LEASE_SECONDS = env_int("NOTIFICATION_LEASE_SECONDS", 300)
# Failed deliveries are retried after 1, 2, 4 ... times the base, at most the cap, at most this often.
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 8)
NOTIFICATION_RETRY_BASE_SECONDS = env_int("NOTIFICATION_RETRY_BASE_SECONDS", 60)
NOTIFICATION_RETRY_MAX_SECONDS = env_int("NOTIFICATION_RETRY_MAX_SECONDS", 6 * 3600)
# Webhooks (workflow/webhooks/): the pauses before each retry of a failed delivery, growing over about a
# day (after the Standard Webhooks schedule, its first pause a minute); then the delivery is marked failed.
WEBHOOK_RETRY_SECONDS = [60, 300, 1800, 7200, 18000, 36000, 36000]
WEBHOOK_LEASE_SECONDS = env_int("WEBHOOK_LEASE_SECONDS", 120)
WEBHOOK_CONNECT_TIMEOUT_SECONDS = 5
WEBHOOK_READ_TIMEOUT_SECONDS = 10
# At most this long for one request, however slowly a receiver answers (the lease covers every redirect).
WEBHOOK_TOTAL_TIMEOUT_SECONDS = 15
# A task starts no new delivery after this long, well within the default queue's soft time limit.
WEBHOOK_BATCH_SECONDS = 30
# Never to an address inside a network (workflow/webhooks/guard.py), except these networks: for a receiver on
# one's own machine in development, e.g. "127.0.0.0/8" (with WEBHOOK_ALLOW_PLAIN_HTTP=1). Both off in production.
WEBHOOK_ALLOWED_PRIVATE_NETWORKS = [
    network.strip() for network in os.environ.get("WEBHOOK_ALLOWED_PRIVATE_NETWORKS", "").split(",") if network.strip()
]
WEBHOOK_ALLOW_PLAIN_HTTP = env_bool("WEBHOOK_ALLOW_PLAIN_HTTP", False)
# Reminder policy; a municipality can override each value in the admin (ReminderPolicy).
REMINDERS = {
    "enabled": env_bool("REMINDERS_ENABLED", True),
    "review_after_days": env_int("REMINDER_REVIEW_AFTER_DAYS", 7),
    "signature_after_days": env_int("REMINDER_SIGNATURE_AFTER_DAYS", 7),
    "evaluation_within_days": env_int("REMINDER_EVALUATION_WITHIN_DAYS", 14),
    "expiry_within_days": env_int("REMINDER_EXPIRY_WITHIN_DAYS", 30),
    "period_days": env_int("REMINDER_PERIOD_DAYS", 7),
    # A decision moment: remind its deciding party this many days before its date (and after it, without an outcome).
    "decision_within_days": env_int("REMINDER_DECISION_WITHIN_DAYS", 14),
    # A decision postponed by more than this many days past the signed date suggests a joint evaluation.
    "decision_slip_days": env_int("DECISION_SLIP_DAYS", 60),
}

# --- Monitoring (progress overview for advisors and municipalities) --------
# An open agreement counts as stalled when it has been in the same state for
# longer than this many days.
MONITORING_STALLED_AFTER_DAYS = {
    "draft": env_int("MONITORING_STALLED_DRAFT_DAYS", 60),
    "in_review": env_int("MONITORING_STALLED_REVIEW_DAYS", 21),
    "approved": env_int("MONITORING_STALLED_SIGNING_DAYS", 30),
}
# How far ahead the overview lists evaluation dates and expiries.
MONITORING_UPCOMING_DAYS = env_int("MONITORING_UPCOMING_DAYS", 90)
# A signed agreement counts as stalled when none of its open commitments moved in this many days.
MONITORING_STALLED_COMMITMENTS_DAYS = env_int("MONITORING_STALLED_COMMITMENTS_DAYS", 90)
# An open joint evaluation counts as overdue this many days after it started.
MONITORING_EVALUATION_OVERDUE_DAYS = env_int("MONITORING_EVALUATION_OVERDUE_DAYS", 30)
# The figures of the long run (how long each step takes, signed per month) are computed again at most this
# often, not after every change: one more signature moves them by a fraction (workflow/monitoring/overview.py).
MONITORING_LONG_RUN_MINUTES = env_int("MONITORING_LONG_RUN_MINUTES", 15)

# --- Signed record: the sealed PDF (agreements/pdf.py, agreements/seal.py) --
# The platform's seal certificate with its private key, as a PKCS#12 file.
# Development: a self-signed certificate that `manage.py seal_certificate`
# (run by `make run`) creates once under var/. Production refuses to start
# without a real one (see the production guard above).
SEAL_PKCS12_PATH = os.environ.get(
    "SEAL_PKCS12_PATH", "" if PRODUCTION else str(VAR_DIR / "seal" / "development-seal.p12")
)
SEAL_PKCS12_PASSPHRASE = os.environ.get("SEAL_PKCS12_PASSPHRASE", "" if PRODUCTION else "samenkader-development")
# Optional RFC 3161 timestamp authority (PAdES B-T); empty: no timestamp.
SEAL_TIMESTAMP_URL = os.environ.get("SEAL_TIMESTAMP_URL", "")
# Public verification page: the largest PDF it accepts, and how many checks one address may do per window.
VERIFY_MAX_UPLOAD_BYTES = env_int("VERIFY_MAX_UPLOAD_MB", 20) * 1024 * 1024
VERIFY_RATE_LIMIT = env_int("VERIFY_RATE_LIMIT", 20)

# --- Throttles beside django-axes (per account and address) and the security log ---------
# The step-up at signing has its own counter: a mistyped password there never locks anyone out of signing in.
SIGNING_STEP_UP_FAILURE_LIMIT = env_int("SIGNING_STEP_UP_FAILURE_LIMIT", 5)
SIGNING_STEP_UP_WINDOW_MINUTES = env_int("SIGNING_STEP_UP_WINDOW_MINUTES", 15)
SIGNING_STEP_UP_LOCK_MINUTES = env_int("SIGNING_STEP_UP_LOCK_MINUTES", 15)
# Failed sign-ins from one address across all accounts; well above the per-account limit (a town hall shares one).
SIGNIN_ADDRESS_FAILURE_LIMIT = env_int("SIGNIN_ADDRESS_FAILURE_LIMIT", 50)
SIGNIN_ADDRESS_WINDOW_MINUTES = env_int("SIGNIN_ADDRESS_WINDOW_MINUTES", 15)
SECURITY_LOG_RETENTION_DAYS = env_int("SECURITY_LOG_RETENTION_DAYS", 90)
VERIFY_RATE_WINDOW_SECONDS = env_int("VERIFY_RATE_WINDOW_SECONDS", 600)
# An uploaded file larger than this goes to a temporary file, not into memory. The
# verification page streams every upload to a temporary file, whatever its size.
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# --- REST API (workflow/api) ------------------------------------------------
INSTALLED_APPS += ["rest_framework", "drf_spectacular", "drf_spectacular_sidecar"]
REST_FRAMEWORK = {
    # A personal token first: an anonymous request then gets 401 with "WWW-Authenticate: Bearer".
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "workflow.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "workflow.api.permissions.TokenScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "workflow.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "workflow.api.schema.ApiAutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Samenkader API",
    "DESCRIPTION": (
        "Framework agreements between residents' initiatives and municipalities: the same agreements, rules and "
        "actions as the web site. Authenticate with a personal API token (make one on your profile page) sent as "
        "`Authorization: Bearer <token>`; it acts as you. Every error has the shape of `Error`: a stable `code`, "
        "a `message` for a person and, where it applies, the agreement's `state` and `errors` per field."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The interactive docs (/api/v1/docs/) from our own static files, no CDN: Swagger UI's split view loads
    # its set-up as a separate script, so it runs under the Content-Security-Policy without inline code.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": False, "tryItOutEnabled": False},
    # The schema is for those who may use the API: signed in, by session or token.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "ENUM_NAME_OVERRIDES": {
        "AgreementStateEnum": "agreements.choices.AgreementState",
        "RaciRoleEnum": "agreements.choices.RaciRole",
    },
}

# --- Operations: metrics ----------------------------------------------------
# /metrics (Prometheus): request latency by route (django-prometheus) and the database's figures. Open to
# the addresses listed, or to whoever sends "Authorization: Bearer <METRICS_TOKEN>"; 404 for anyone else.
INSTALLED_APPS += ["django_prometheus"]
MIDDLEWARE.insert(0, "django_prometheus.middleware.PrometheusBeforeMiddleware")
MIDDLEWARE.append("workflow.web.prometheus.RequestFiguresMiddleware")
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_IPS = {
    address.strip() for address in os.environ.get("METRICS_ALLOWED_IPS", "127.0.0.1,::1").split(",") if address.strip()
}
