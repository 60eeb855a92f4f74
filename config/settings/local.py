"""Development settings, used by `make run`."""

from config.settings.base import *  # noqa: F403

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-change-me"  # noqa: S105
GOVCREDIT_ALLOW_CLOCK_OVERRIDE = env.bool("GOVCREDIT_ALLOW_CLOCK_OVERRIDE", default=True)
