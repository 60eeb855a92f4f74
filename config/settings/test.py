"""Test settings: q2 synchronous, fast hashing, outgoing mail kept in memory."""

from config.settings.base import *  # noqa: F403

SECRET_KEY = "test-only-key"  # noqa: S105
DEBUG = False
GOVCREDIT_ALLOW_CLOCK_OVERRIDE = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
ALLOWED_HOSTS = ["*"]
import os  # noqa: E402
import tempfile  # noqa: E402

# The demo CA and issuer keys: made once, then reused by every test process (a file lock serialises them).
GOVCREDIT_SIGNING_DIR = ""
GOVCREDIT_SIGNING_DEMO = True
GOVCREDIT_SIGNING_DEMO_DIR = str(Path(tempfile.gettempdir()) / f"govcredit-test-signing-{os.getuid()}")  # noqa: F405
PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="govcredit-test-media-"))  # noqa: F405
STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
}

# seed_demo loads parties only; tests build their own cases (tests/contracts/test_demo.py turns this on).
GOVCREDIT_DEMO_CASES = False
