"""Settings for the Statements Archive, read from the environment.

Development defaults are safe and need nothing set. With DEBUG off, start-up refuses to run
without SECRET_KEY and ALLOWED_HOSTS, so production can never fall back to development values.
"""

import os
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=()):
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or list(default)


DEBUG = env_bool("DEBUG", default=True)

# Everything the running site writes: database, search index, screenshots, benchmark output.
ARCHIVE_DATA_DIR = Path(os.environ.get("ARCHIVE_DATA_DIR") or BASE_DIR / "var").resolve()

SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or "django-insecure-development-only-key-never-used-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
else:
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")

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
    # Before haystack: its rebuild_index command is replaced by the archive's bulk one.
    "statements",
    "haystack",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "archive.urls"

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

WSGI_APPLICATION = "archive.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{ARCHIVE_DATA_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent gunicorn workers and the index queue writer share the file: WAL lets readers
    # go on while one process writes, and the busy timeout waits instead of failing at once.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            # A connection's page cache (SQLite's default is 2 MB): an import writes each
            # quote's linking keys at random places of an index that outgrows 2 MB at about
            # 100k quotes, and re-read every page it evicted. At 1M quotes, 8,000 key rows took
            # 0.15-0.38 s with the default and 0.08-0.10 s with 64 MB. Memory is taken only
            # as pages are read, so a short request's connection stays small.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            f"PRAGMA cache_size = -{max(2, int(os.environ.get('SQLITE_CACHE_MB', '64'))) * 1024};",
            "transaction_mode": "IMMEDIATE",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
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

LOGIN_URL = "admin:login"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Statements Archive <alerts@localhost>")

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True


def haystack_connection(url):
    """Map SEARCH_URL to a haystack connection: whoosh:///path, elasticsearch://host:9200/index,
    solr://host:8983/solr/core. Only settings and the index definitions know the engine."""
    parts = urlsplit(url)
    options = dict(parse_qsl(parts.query))
    if parts.scheme == "whoosh":
        return {
            "ENGINE": "statements.search_backend.ArchiveWhooshEngine",
            "PATH": parts.path or str(ARCHIVE_DATA_DIR / "whoosh"),
            "STORAGE": "file",
            "POST_LIMIT": 128 * 1024 * 1024,
            "INCLUDE_SPELLING": True,
            "BATCH_SIZE": 1000,
            # ?mmap=1: readers on memory-mapped segment files (Whoosh reads them whole: ~6x the
            # memory per worker, no faster here); ?procs=N: processes for a full rebuild;
            # ?bulk_mb=N: postings each of them sorts in memory before spilling to disk.
            "MMAP": options.get("mmap", "0") in {"1", "true", "yes", "on"},
            "BULK_PROCS": int(options["procs"]) if options.get("procs", "").isdigit() else None,
            "BULK_LIMIT_MB": int(options["bulk_mb"]) if options.get("bulk_mb", "").isdigit() else None,
            # Writes that fail must raise: the index queue keeps the change and retries.
            "SILENTLY_FAIL": False,
        }
    if parts.scheme in {"elasticsearch", "elasticsearchs"}:
        scheme = "https" if parts.scheme.endswith("s") else "http"
        index = parts.path.strip("/") or "statements"
        return {
            "ENGINE": "haystack.backends.elasticsearch7_backend.Elasticsearch7SearchEngine",
            "URL": f"{scheme}://{parts.netloc}/",
            "INDEX_NAME": index,
            "INCLUDE_SPELLING": True,
            **({"TIMEOUT": int(options["timeout"])} if "timeout" in options else {}),
        }
    if parts.scheme in {"solr", "solrs"}:
        scheme = "https" if parts.scheme.endswith("s") else "http"
        return {
            "ENGINE": "haystack.backends.solr_backend.SolrEngine",
            "URL": f"{scheme}://{parts.netloc}{parts.path}",
            "INCLUDE_SPELLING": True,
        }
    raise ImproperlyConfigured(f"SEARCH_URL scheme {parts.scheme!r} is not supported.")


SEARCH_URL = os.environ.get("SEARCH_URL") or f"whoosh://{ARCHIVE_DATA_DIR / 'whoosh'}"
HAYSTACK_CONNECTIONS = {"default": haystack_connection(SEARCH_URL)}
# Changes reach the index through statements.indexing's queue, never through haystack's
# per-save signal processor (which writes from every web worker and loses deletes on a lock).
HAYSTACK_SIGNAL_PROCESSOR = "statements.indexing.QueueSignalProcessor"
# Apply the queue right after each commit when no other process is writing the index.
SEARCH_INDEX_APPLY_ON_COMMIT = env_bool("SEARCH_INDEX_APPLY_ON_COMMIT", default=True)
HAYSTACK_SEARCH_RESULTS_PER_PAGE = 20
HAYSTACK_LIMIT_TO_REGISTERED_MODELS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# The site's public address, for links in alert mails sent outside a request.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
