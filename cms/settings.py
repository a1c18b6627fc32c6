"""Sen's one settings module.

Everything that differs between the embedded default (SQLite, local disk, database
search, tasks in the database) and production (PostgreSQL, an S3-compatible bucket,
Elasticsearch, separate workers) is read from the environment here; the README lists
every variable. Defaults are the safe production values; `SEN_ENV=dev` opts in to
conveniences.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SEN_ENV = env.str("SEN_ENV", default="production")  # dev | test | production
DEBUG = env.bool("DJANGO_DEBUG", default=SEN_ENV == "dev")

if SEN_ENV == "production":
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")  # unset -> ImproperlyConfigured
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-dev-key-not-for-production")

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=[] if SEN_ENV == "production" else ["127.0.0.1", "localhost", "testserver"],
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
WAGTAILADMIN_BASE_URL = env.str("SEN_BASE_URL", default="http://127.0.0.1:8000")

# Where run-time state lives on the embedded default: the SQLite file, originals,
# public renditions. Kept out of the source tree's tracked files (.gitignore).
VAR_DIR = Path(env.str("SEN_VAR_DIR", default=str(BASE_DIR / "var")))

INSTALLED_APPS = [
    # modeltranslation must come before the apps whose models it patches, and
    # wagtail_modeltranslation's command overrides before django.core's.
    "wagtail_modeltranslation",
    "wagtail_modeltranslation.makemigrations",
    "wagtail_modeltranslation.migrate",
    "modeltranslation",
    "cms",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "assets.apps.SenUsersConfig",  # wagtail.users with the organisation on user forms
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "wagtailmedia",
    "modelcluster",
    "taggit",
    "django_filters",
    "storages",
    "django_tasks",
    "django_tasks_db",
    # After wagtail.snippets so that its hooks (bulk actions) override Wagtail's.
    "assets",
    "review",
    "ingest",
    "press",
    "feed",
    "search",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cms.middleware.SenLocaleMiddleware",
    "cms.middleware.AdminInVietnameseMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cms.cache.PublicPageCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cms" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "cms.context_processors.public_site",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------
# DATABASE_URL=postgres://user:pass@127.0.0.1:5432/sen for production and CI.
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'sen.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Connections outlive a request, on SQLite too: opening one there costs ~8 ms (the
# schema of ~430 tables and indexes read again, WAL switched on), more than all the
# queries of a photo's page, and a new connection starts with an empty page cache.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", 60))
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The server, the worker and parallel uploads all write: wait for the lock
    # instead of failing, take it when a transaction starts (no upgrade deadlock),
    # and let readers go on while one writes (WAL). Reads go through a memory map of
    # the file (up to 256 MB; shared by all processes through the OS page cache)
    # rather than a read() per page into SQLite's 2 MB cache per connection:
    # counting the 11,000 photos of a topic among 100,000 took 16 ms instead of 36.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size=268435456;"
            ),
        }
    )
    # Browser tests upload in parallel: an in-memory shared-cache database fails at
    # once on a locked table, a file waits for its lock like the real one.
    DATABASES["default"]["TEST"] = {
        "NAME": env.str("SEN_TEST_SQLITE", default=str(VAR_DIR / "test.sqlite3"))
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if SEN_ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Languages -------------------------------------------------------------------
# The language list is a setting: SEN_LANGUAGES=vi,en,zh-hans,ja,ko,fr. Vietnamese is
# always first and always required. Adding a language needs a migration for the
# translated columns (README, "Adding a language").
LANGUAGE_NAMES = {
    "vi": _("Vietnamese"),
    "en": _("English"),
    "zh-hans": _("Simplified Chinese"),
    "ja": _("Japanese"),
    "ko": _("Korean"),
    "fr": _("French"),
    "de": _("German"),
    "ru": _("Russian"),
    "es": _("Spanish"),
    "lo": _("Lao"),
    "km": _("Khmer"),
    "th": _("Thai"),
}
_codes = env.list("SEN_LANGUAGES", default=["vi", "en", "zh-hans", "ja", "ko", "fr"])
if "vi" in _codes:
    _codes.remove("vi")
LANGUAGES = [(code, LANGUAGE_NAMES.get(code, code)) for code in ["vi", *_codes]]
LANGUAGE_CODE = "vi"
# Sen's own catalogues first (they win), then the complete Vietnamese catalogues Sen
# ships for Wagtail and its add-ons, one folder per upstream app (locales/GLOSSARY.md).
# Earlier entries win, so Django's own strings come last: where Wagtail words a
# shared string for its admin ("Clear" a filter), Wagtail's wording is the one shown.
_vendor = sorted(path for path in (BASE_DIR / "locales" / "vendor").glob("*") if path.is_dir())
LOCALE_PATHS = [
    BASE_DIR / "locales",
    *[path for path in _vendor if not path.name.startswith("django")],
    *[path for path in _vendor if path.name.startswith("django")],
]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Ho_Chi_Minh")
USE_TZ = True

MODELTRANSLATION_DEFAULT_LANGUAGE = "vi"
MODELTRANSLATION_LANGUAGES = tuple(code for code, _name in LANGUAGES)
MODELTRANSLATION_FALLBACK_LANGUAGES = ("vi",)
MODELTRANSLATION_AUTO_POPULATE = False

# The admin speaks Vietnamese by default; editors may switch to English.
WAGTAILADMIN_PERMITTED_LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = False
# Asset forms put Vietnamese first and group the other languages on a Translations
# tab; wagtail-modeltranslation's show/hide language picker would hide half of them.
WAGTAILMODELTRANSLATION_LOCALE_PICKER = False

# --- Files -------------------------------------------------------------------------
# One private store for originals and renditions alike; no stored file sits under a
# public folder. Local disk: every URL is /files/<name>, answered by
# assets.views.serve_file after assets.permissions.file_access(). S3: private objects
# under "private/", linked by short-lived presigned URLs.
SEN_S3_BUCKET = env.str("SEN_S3_BUCKET", default="")
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("SEN_STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_URL = "/media/"  # Django wants one; nothing is stored or served there
MEDIA_ROOT = VAR_DIR / "media"
PRIVATE_ROOT = VAR_DIR / "private"  # every stored file on the embedded default

if SEN_S3_BUCKET:
    _s3 = {
        "bucket_name": SEN_S3_BUCKET,
        "endpoint_url": env.str("SEN_S3_ENDPOINT_URL", default=None),
        "access_key": env.str("SEN_S3_ACCESS_KEY_ID", default=None),
        "secret_key": env.str("SEN_S3_SECRET_ACCESS_KEY", default=None),
        "region_name": env.str("SEN_S3_REGION", default="us-east-1"),
        "addressing_style": env.str("SEN_S3_ADDRESSING_STYLE", default="path"),
        "file_overwrite": False,
        "default_acl": None,
    }
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **_s3,
                "location": "private",
                "querystring_auth": True,
                "querystring_expire": env.int("SEN_S3_URL_EXPIRY", default=300),
            },
        },
    }
else:
    STORAGES = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            # /files/ is assets.views.serve_file, which checks every request.
            "OPTIONS": {"location": str(PRIVATE_ROOT), "base_url": "/files/"},
        },
    }
STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    if SEN_ENV != "production"
    else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
}
# nginx: an `internal` location mapped onto PRIVATE_ROOT, e.g. "/protected/"; then
# /files/ answers with X-Accel-Redirect instead of streaming through Django.
SEN_X_ACCEL_REDIRECT_PREFIX = env.str("SEN_X_ACCEL_REDIRECT_PREFIX", default="")

FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads stream to a temp file
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Upload limits (bytes and pixels), checked before anything is stored.
SEN_MAX_UPLOAD_BYTES = {
    "photo": env.int("SEN_MAX_PHOTO_BYTES", default=100 * 1024 * 1024),
    "video": env.int("SEN_MAX_VIDEO_BYTES", default=4 * 1024 * 1024 * 1024),
    "publication": env.int("SEN_MAX_PUBLICATION_BYTES", default=500 * 1024 * 1024),
}
SEN_MAX_IMAGE_PIXELS = env.int("SEN_MAX_IMAGE_PIXELS", default=120_000_000)
SEN_MAX_IMAGE_METADATA_BYTES = env.int("SEN_MAX_IMAGE_METADATA_BYTES", default=1024 * 1024)

# --- Ingest: derivatives, checks, jobs -------------------------------------------------
# Widths of the public site's renditions, each made in JPEG and WebP (and AVIF when
# SEN_RENDITIONS_AVIF is on: about 8x the encode cost of JPEG) by the worker after
# upload, so that no public request ever renders an image.
SEN_RENDITION_WIDTHS = env.list("SEN_RENDITION_WIDTHS", cast=int, default=[480, 960, 1600])
SEN_RENDITIONS_AVIF = env.bool("SEN_RENDITIONS_AVIF", default=False)
# What the admin and previews show, made with the rest.
SEN_ADMIN_RENDITION_SPECS = ["max-165x165", "max-1200x900", "fill-400x300"]
# Long side in pixels of the named download sizes; "original" is the file itself.
SEN_DOWNLOAD_SIZES = {"web": 1280, "press": 2560, "print": 4096}
# Derivative and check jobs: attempts before a job stays failed, the first retry
# delay (doubled each time), and how long a running job may go silent before its
# worker is taken for dead and the job is run again.
SEN_JOB_MAX_ATTEMPTS = env.int("SEN_JOB_MAX_ATTEMPTS", default=4)
SEN_JOB_RETRY_DELAY = env.int("SEN_JOB_RETRY_DELAY", default=60)
SEN_JOB_LEASE_SECONDS = env.int("SEN_JOB_LEASE_SECONDS", default=30 * 60)
# State-secret markings: pages of a PDF that are read or OCR'd, and the days a
# quarantined file is kept (for an administrator to release a false positive)
# before it is removed from storage.
SEN_MARKING_MAX_PAGES = env.int("SEN_MARKING_MAX_PAGES", default=20)
SEN_QUARANTINE_DAYS = env.int("SEN_QUARANTINE_DAYS", default=30)
# Perceptual-hash distance (of 64 bits) at or below which two photos are "nearly"
# the same. Candidates are found by four 16-bit bands, so at most 3 is exhaustive.
SEN_NEAR_DUPLICATE_DISTANCE = env.int("SEN_NEAR_DUPLICATE_DISTANCE", default=3)
# Video: web copy height limit and the PDF pages previewed.
SEN_VIDEO_MAX_HEIGHT = env.int("SEN_VIDEO_MAX_HEIGHT", default=1080)
SEN_PDF_PREVIEW_PAGES = env.int("SEN_PDF_PREVIEW_PAGES", default=6)

# --- Wagtail ---------------------------------------------------------------------
WAGTAIL_SITE_NAME = env.str("SEN_SITE_NAME", default="Sen")
WAGTAILIMAGES_IMAGE_MODEL = "assets.SenImage"
# Renditions stay with the originals in private storage: a rendition of a draft at a
# guessable public URL would leak it. Published copies at public URLs come with the
# public site (issue 6); until then /files/ serves renditions of live assets to all.
WAGTAILIMAGES_RENDITION_STORAGE = "default"
WAGTAILIMAGES_MAX_IMAGE_PIXELS = SEN_MAX_IMAGE_PIXELS
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "tif", "tiff", "heic", "heif"]
WAGTAILDOCS_DOCUMENT_MODEL = "assets.SenDocument"
WAGTAILDOCS_EXTENSIONS = ["pdf"]
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILMEDIA = {
    "MEDIA_MODEL": "assets.SenMedia",
    "MEDIA_FORM_BASE": "assets.forms.SenMediaForm",
    "VIDEO_EXTENSIONS": ["mp4", "m4v", "mov", "webm"],
    "AUDIO_EXTENSIONS": [],
}
# Wagtail's own image/document/media admins validate through Sen's upload checks too.
WAGTAILIMAGES_IMAGE_FORM_BASE = "assets.forms.SenImageForm"
WAGTAILDOCS_DOCUMENT_FORM_BASE = "assets.forms.SenDocumentForm"
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILADMIN_COMMENTS_ENABLED = True

# --- Search ------------------------------------------------------------------------
ELASTICSEARCH_URL = env.str("ELASTICSEARCH_URL", default="")
# Sen's own index (search/elasticsearch.py) is the alias `<prefix>assets`.
SEN_ELASTICSEARCH_INDEX_PREFIX = env.str("SEN_ELASTICSEARCH_INDEX_PREFIX", default="sen_")
if ELASTICSEARCH_URL:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "wagtail.search.backends.elasticsearch9",
            "URLS": [ELASTICSEARCH_URL],
            "INDEX_PREFIX": SEN_ELASTICSEARCH_INDEX_PREFIX,
            "TIMEOUT": 10,
        }
    }
else:
    # Wagtail's database backend; on PostgreSQL with index writes serialised
    # (search/backends.py says why).
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.backends"}}

# --- Background tasks ----------------------------------------------------------------
# Tasks wait in the database; `manage.py db_worker` runs them (a separate process in
# production, started by `make run` on the embedded default). Tests run them inline.
# The public site's page cache (cms/cache.py). Embedded default: files under var/,
# shared by every process of one machine; production: CACHE_URL (redis://...,
# pymemcache://...) shared by every web process, so a purge reaches them all.
CACHES = {
    "default": env.cache_url(
        "CACHE_URL",
        default="locmemcache://" if SEN_ENV == "test" else f"filecache://{VAR_DIR / 'cache'}",
    )
}
SEN_PAGE_CACHE = "default"
SEN_PAGE_CACHE_SECONDS = env.int("SEN_PAGE_CACHE_SECONDS", default=300)
SEN_SITEMAP_PAGE_SIZE = env.int("SEN_SITEMAP_PAGE_SIZE", default=5000)
SEN_HOME_PLACES = 12
SEN_MEDIA_KIT_DAYS = env.int("SEN_MEDIA_KIT_DAYS", default=14)
# JSON API (/api/v1/, feed/api/): requests per client and window ("60/min", "5000/h"),
# anonymous clients by address, consumers by API key; counted in this cache.
SEN_API_RATE_ANONYMOUS = env.str("SEN_API_RATE_ANONYMOUS", default="60/min")
SEN_API_RATE_KEY = env.str("SEN_API_RATE_KEY", default="1200/min")
SEN_API_RATE_CACHE = "default"
SEN_API_PAGE_SIZE = env.int("SEN_API_PAGE_SIZE", default=50)
SEN_API_MAX_PAGE_SIZE = env.int("SEN_API_MAX_PAGE_SIZE", default=200)
# Lists leave out records stamped in the last seconds, whose transaction may not have
# committed yet, so that a sync cursor never passes a record that appears later.
SEN_API_SETTLE_SECONDS = env.int("SEN_API_SETTLE_SECONDS", default=2)
# Export feed webhooks (feed/webhooks.py): attempts per delivery, the first retry
# delay (doubled after each failure, plus up to 25 % jitter), the connect and read
# timeouts of one attempt, and whether an endpoint may be plain http on a loopback
# address (a receiver on the same machine: development and tests; never production).
SEN_WEBHOOK_MAX_ATTEMPTS = env.int("SEN_WEBHOOK_MAX_ATTEMPTS", default=8)
SEN_WEBHOOK_RETRY_DELAY = env.int("SEN_WEBHOOK_RETRY_DELAY", default=60)
SEN_WEBHOOK_CONNECT_TIMEOUT = env.float("SEN_WEBHOOK_CONNECT_TIMEOUT", default=5)
SEN_WEBHOOK_READ_TIMEOUT = env.float("SEN_WEBHOOK_READ_TIMEOUT", default=10)
SEN_WEBHOOK_ALLOW_LOOPBACK_HTTP = env.bool(
    "SEN_WEBHOOK_ALLOW_LOOPBACK_HTTP", default=SEN_ENV != "production"
)

TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if SEN_ENV == "test" or env.bool("SEN_TASKS_IMMEDIATE", default=False)
        else "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# --- E-mail ------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="sen@localhost")
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL

# --- Export feed: OAI-PMH (feed/oai/, README "Export feed → OAI-PMH") ---------------
# Identifiers are oai:<repository id>:photo/12; the id defaults to SEN_BASE_URL's host.
SEN_OAI_REPOSITORY_ID = env.str("SEN_OAI_REPOSITORY_ID", default="")
# Identify's adminEmail: the OAI schema wants a domain with a dot.
SEN_OAI_ADMIN_EMAIL = env.str(
    "SEN_OAI_ADMIN_EMAIL",
    default=DEFAULT_FROM_EMAIL
    if "." in DEFAULT_FROM_EMAIL.rpartition("@")[2]
    else "webmaster@" + (WAGTAILADMIN_BASE_URL.split("//")[-1].split("/")[0].split(":")[0]),
)
# Records per ListRecords/ListIdentifiers page, and how long a resumption token lives.
SEN_OAI_PAGE_SIZE = env.int("SEN_OAI_PAGE_SIZE", default=200)
SEN_OAI_TOKEN_SECONDS = env.int("SEN_OAI_TOKEN_SECONDS", default=24 * 3600)

# --- Security ----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "SAMEORIGIN"
SESSION_COOKIE_HTTPONLY = True
if SEN_ENV == "production":
    SESSION_COOKIE_SECURE = env.bool("SEN_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("SEN_LOG_LEVEL", default="WARNING")},
}
