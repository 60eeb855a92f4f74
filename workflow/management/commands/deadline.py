import json

from workflow.deadlines import due_for
from workflow.management.base import GovcreditCommand, parse_date


class Command(GovcreditCommand):
    help = (
        "When a statutory period ends: `deadline sme.pay.government 2026-09-02 [--json] [--agreed-days 45]`. "
        "Uses the version of the rule in force on the start date."
    )

    def add_arguments(self, parser):
        parser.add_argument("rule", help="rule code, e.g. sme.pay.government")
        parser.add_argument("start", help="start date YYYY-MM-DD (not counted)")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument(
            "--agreed-days", type=int, default=None, help="a contract's agreed term, within the legal ceiling"
        )

    def handle(self, *args, **options):
        start = parse_date(options["start"], "start date")
        due = due_for(options["rule"], start, amount=options["agreed_days"])
        if options["json"]:
            self.stdout.write(json.dumps(due.as_dict(), ensure_ascii=False))
            return
        r = due.rule
        moved = f" (moved from {due.base_due.isoformat()}, a rest day)" if due.moved else ""
        self.stdout.write(f"{r.code}: {r.title}")
        provisional = (
            " （暂定）provisional: counted before the State Council holiday notice for that year was entered"
            if due.provisional
            else ""
        )
        self.stdout.write(f"  {r.get_kind_display()}: {due.due.isoformat()}{moved}{provisional}")
        self.stdout.write(f"  from {start.isoformat()}, {due.amount} {r.get_unit_display()}")
        self.stdout.write(f"  basis: {r.basis}{'' if r.verified else '  [unverified]'}")
