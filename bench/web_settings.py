"""Settings for the web benchmark only (bench/web_bench.py): the local settings with DEBUG off and a
URLconf that adds the no-database 50-row template page next to the project's own URLs. Never used
in production: config/urls.py does not know this page."""

import os

from config.settings.local import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.web_urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]  # noqa: F405

# BENCH_CONN_MAX_AGE=60 measures persistent database connections; without it the project's setting
# (CONN_MAX_AGE, config/settings/base.py) applies. docs/performance.md compares both.
if "BENCH_CONN_MAX_AGE" in os.environ:
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ["BENCH_CONN_MAX_AGE"])  # noqa: F405
