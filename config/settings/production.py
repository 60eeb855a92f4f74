"""Production settings: PostgreSQL via DATABASE_URL, a real SECRET_KEY, no clock override."""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403

DEBUG = False
if not SECRET_KEY or len(SECRET_KEY) < 32 or SECRET_KEY.startswith(("dev-", "test-", "change")):
    raise ImproperlyConfigured("production settings need a real SECRET_KEY (at least 32 random characters)")
# Never travel in time in production, whatever the environment says.
GOVCREDIT_ALLOW_CLOCK_OVERRIDE = False
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
