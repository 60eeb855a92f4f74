"""Recompute the stored periods of live dishonesty records after a period rule was corrected.

    python manage.py records_recompute_periods --reason "令第58号 公示期限按原文更正"

Prints one line per record whose dates changed (each also has an audit row) and a count.
"""

from repair.services.records import records_recompute_periods
from workflow.management.base import GovcreditCommand


class Command(GovcreditCommand):
    help = "Recompute the publication periods of records still recorded or published, from the rules as they stand."

    def add_arguments(self, parser):
        parser.add_argument("--reason", required=True, help="why (written to each audit row)")

    def handle(self, *args, reason, **options):
        changed = records_recompute_periods(reason=reason)
        failed = [row for row in changed if "error" in row]
        for row in changed:
            if "error" in row:
                self.stdout.write(f"{row['decision_number']}: not recomputed ({row['error']})")
                continue
            fields = ", ".join(f"{k} {v[0]} -> {v[1]}" for k, v in row.items() if isinstance(v, list))
            self.stdout.write(f"{row['decision_number']}: {fields}")
        self.stdout.write(f"{len(changed) - len(failed)} record(s) changed")
