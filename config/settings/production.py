"""Production settings: PostgreSQL via DATABASE_URL, a real SECRET_KEY, no clock override."""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403

DEBUG = False
if not SECRET_KEY or len(SECRET_KEY) < 32 or SECRET_KEY.startswith(("dev-", "test-", "change")):
    raise ImproperlyConfigured("production settings need a real SECRET_KEY (at least 32 random characters)")
# Never travel in time in production, whatever the environment says.
GOVCREDIT_ALLOW_CLOCK_OVERRIDE = False
# Documents are signed only with the keys configured in GOVCREDIT_SIGNING_DIR, never with demo keys.
GOVCREDIT_SIGNING_DEMO = False
# HTTPS only, with safe defaults; each can be turned down from the environment (e.g. SECURE_SSL_REDIRECT=false
# where the proxy in front already redirects). The proxy must set X-Forwarded-Proto (see README).
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SESSION_COOKIE_HTTPONLY = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# A year; /healthz stays reachable over plain HTTP from the monitor on the host.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
