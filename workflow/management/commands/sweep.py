"""Run the daily sweep for a date: `manage.py sweep [--as-of YYYY-MM-DD]`."""

from django.core.management.base import CommandError

from workflow import clock
from workflow.management.base import GovcreditCommand, parse_date
from workflow.sweeps import sweep_failed_steps, sweep_run


def _describe(outcome: dict) -> str:
    if not outcome.get("ok"):
        return f"FAILED {outcome.get('error', '')}"
    result = outcome.get("result")
    if isinstance(result, dict):
        return ", ".join(f"{key}={value}" for key, value in result.items()) or "-"
    return str(result)


class Command(GovcreditCommand):
    help = "Run every sweep step (overdue deadlines, pending documents, apps' steps) for a date. Safe to repeat."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today in Asia/Shanghai)")

    def handle(self, *args, **options):
        as_of = parse_date(options["as_of"], "--as-of") if options.get("as_of") else clock.today()
        run = sweep_run(as_of=as_of)
        for name, outcome in run.results.items():
            self.stdout.write(f"{name}: {_describe(outcome)}")
        failed = sweep_failed_steps(run)
        if failed:
            raise CommandError(
                f"sweep {as_of.isoformat()} (run {run.pk}): {len(failed)} of {len(run.results)} step(s) failed: "
                + ", ".join(failed)
            )
        self.stdout.write(f"sweep {as_of.isoformat()} done (run {run.pk}): {len(run.results)} step(s), 0 failed")
