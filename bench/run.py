"""Run the benchmarks: `python bench/run.py [name ...] [--db sqlite|postgres] [--scale S]` (default: all).

Prints one line per figure.

--db sqlite    a scratch SQLite file, var/bench.sqlite3, recreated for every run (never the project's
               db.sqlite3);
--db postgres  DATABASE_URL when it names a PostgreSQL database, else
               postgres://postgres@127.0.0.1:5432/govcredit_bench (create it first: `createdb -h
               127.0.0.1 -U postgres govcredit_bench`; the contracts bench wants it empty);
no --db        whatever DATABASE_URL says (the project's database by default): read-only benches only.
--scale S      run the data-generating benches smaller (0.01 = 1,000 contracts) or larger.
--as-of DATE   the day the contracts bench sweeps (default 2026-11-20).
--try-sql SQL  (repeatable) run this SQL after generating the data and before the sweeps: to try an
               index on the scratch database before writing its migration.
"""

import argparse
import inspect
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_SQLITE = ROOT / "var" / "bench.sqlite3"
BENCH_POSTGRES = "postgres://postgres@127.0.0.1:5432/govcredit_bench"
BENCHES = {
    "calendar": "bench.calendar_bench",
    "render": "bench.render_bench",
    "contracts": "bench.contracts_bench",
    "sweepsql": "bench.sweep_compare",
    "web": "bench.web_bench",
    "kpi": "bench.kpi_bench",
}


def report(label, value, unit="", **extra):
    """One figure: `label: value unit  key=value ...` (floats with 3 decimals, counts as integers)."""

    def fmt(v, decimals):
        if isinstance(v, bool) or not isinstance(v, int | float):
            return str(v)
        return f"{v:,}" if isinstance(v, int) else f"{v:.{decimals}f}"

    more = "".join(f"  {k}={fmt(v, 2)}" for k, v in extra.items())
    print(f"{label}: {fmt(value, 3)}{' ' + unit if unit else ''}{more}", flush=True)


def _database(db: str | None) -> None:
    if db == "sqlite":
        BENCH_SQLITE.parent.mkdir(exist_ok=True)
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{BENCH_SQLITE}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{BENCH_SQLITE}"
    elif db == "postgres":
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith(("postgres://", "postgresql://")):
            os.environ["DATABASE_URL"] = BENCH_POSTGRES


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", metavar="name", help=", ".join(BENCHES))
    parser.add_argument("--db", choices=["sqlite", "postgres"])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--as-of", dest="as_of", default=None, help="YYYY-MM-DD")
    parser.add_argument("--try-sql", dest="try_sql", action="append", default=None, metavar="SQL")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHES]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(BENCHES)}")

    _database(args.db)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DEBUG", "false")  # DEBUG keeps and formats every query: it would distort the figures
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(
        f"# {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, "
        f"database {connection.vendor} {connection.settings_dict['NAME']}"
    )
    options = {
        "scale": args.scale,
        "as_of": dt.date.fromisoformat(args.as_of) if args.as_of else None,
        "try_sql": args.try_sql,
    }
    for name in args.names or BENCHES:
        module = __import__(BENCHES[name], fromlist=["run"])
        accepted = inspect.signature(module.run).parameters
        print(f"## {name}", flush=True)
        module.run(report, **{k: v for k, v in options.items() if k in accepted and v is not None})


if __name__ == "__main__":
    main()
