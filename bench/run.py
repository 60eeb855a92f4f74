"""Run the benchmarks: `python bench/run.py [name ...]` (default: all). Prints one line per figure."""

import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

BENCHES = {"calendar": "bench.calendar_bench"}


def report(label, value, unit, **extra):
    more = "".join(f"  {k}={v:.2f}" for k, v in extra.items())
    print(f"{label}: {value:.3f} {unit}{more}", flush=True)


def main(names):
    call_command("migrate", verbosity=0)
    print(
        f"# {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, "
        f"database {connection.vendor}"
    )
    for name in names or BENCHES:
        module = __import__(BENCHES[name], fromlist=["run"])
        print(f"## {name}")
        module.run(report)


if __name__ == "__main__":
    main(sys.argv[1:])
