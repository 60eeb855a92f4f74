from workflow import workdays
from workflow.management.base import GovcreditCommand, parse_date, parse_int


class Command(GovcreditCommand):
    help = (
        "Working-day arithmetic on the statutory calendar. "
        "`workdays add 2026-09-30 7` prints the 7th working day after the date; "
        "`workdays count 2026-09-30 2026-10-15` prints the working days after the first date up to the second; "
        "`workdays is 2026-10-10` prints whether the day is a working day."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="the N-th working day after DATE (DATE itself not counted)")
        add.add_argument("date")
        add.add_argument("n")
        count = sub.add_parser("count", help="working days d with START < d <= END")
        count.add_argument("start")
        count.add_argument("end")
        is_ = sub.add_parser("is", help="yes when DATE is a working day, no otherwise")
        is_.add_argument("date")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "add":
            day = parse_date(options["date"])
            n = parse_int(options["n"], "number of working days")
            self.stdout.write(workdays.add_working_days(day, n).isoformat())
        elif action == "count":
            start, end = parse_date(options["start"], "start date"), parse_date(options["end"], "end date")
            self.stdout.write(str(workdays.count_working_days(start, end)))
        else:
            day = parse_date(options["date"])
            self.stdout.write("yes" if workdays.is_working_day(day) else "no")
