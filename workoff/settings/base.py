"""Settings shared by every profile, read from the environment.

The defaults give a working single-machine demo: SQLite in the project folder,
Celery tasks run in process, e-mail printed to the console. Production
overrides what must not have a default in `workoff.settings.production`.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    environ.Env.read_env(str(BASE_DIR / ".env"))

# A fixed, obviously unsafe key keeps demo sessions valid across restarts;
# the production profile refuses to start without DJANGO_SECRET_KEY.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-demo-key-never-use-in-production")
DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "plans",
    "reporting",
    "escalation",
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

ROOT_URLCONF = "workoff.urls"
WSGI_APPLICATION = "workoff.wsgi.application"

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

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Services own their transactions, so requests are not wrapped in one.
DATABASES["default"]["ATOMIC_REQUESTS"] = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "plans.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "plans:plan_list"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]

# Uploaded workbooks, report evidence and presentations. This folder is never
# served as static media: every file goes out through a view that checks who
# is asking.
PRIVATE_MEDIA_ROOT = env.path("WORKOFF_PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private_media")
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT)},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage",
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="work-off-plans@example.org")
# Folder the file-based backend (django.core.mail.backends.filebased.EmailBackend)
# writes one file per message into; the other backends ignore it.
EMAIL_FILE_PATH = env.path("DJANGO_EMAIL_FILE_PATH", default=BASE_DIR / "sent_emails")

# Largest workbook upload accepted, in bytes, before it is even opened.
WORKOFF_MAX_UPLOAD_BYTES = env.int("WORKOFF_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = WORKOFF_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = WORKOFF_MAX_UPLOAD_BYTES + 1024 * 1024

# Reporting schedule: local time reports fall due, days of grace after that,
# and when the chase job sends its reminder and second notice.
WORKOFF_REPORT_DUE_TIME = env("WORKOFF_REPORT_DUE_TIME", default="17:00")
WORKOFF_REPORT_TIME_ZONE = env("WORKOFF_REPORT_TIME_ZONE", default="Europe/London")
WORKOFF_REPORT_GRACE_DAYS = env.int("WORKOFF_REPORT_GRACE_DAYS", default=5)
WORKOFF_REMINDER_DAYS_BEFORE = env.int("WORKOFF_REMINDER_DAYS_BEFORE", default=2)
WORKOFF_SECOND_NOTICE_DAYS_AFTER = env.int("WORKOFF_SECOND_NOTICE_DAYS_AFTER", default=3)

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
# Without a broker the demo runs every task in the web process.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Redis redelivers an unacknowledged task after this many seconds; no task may
# be scheduled further ahead than this, or it would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}
