"""No statutory or policy number as a literal in the domain code: periods, ceilings and rates live in
rule rows (workflow.rules.rule_in_force) with their citation (CONVENTIONS.md habit 4).

The scanner walks the AST of contracts/, repair/ and workflow/ (migrations, which carry the rule data,
and demo seeding aside) and reports a numeric literal where a period or a rate is meant:
- in a period call: timedelta(...), add_working_days(...), add_months(...), due_for/compute_due/
  deadline_start/deadline_extend(amount=...);
- as a keyword named like a period (days=, months=, years=, amount=, *_days=, *_months=, *_years=);
- as the default of a parameter or a model/form field named like a period, or its max/min/initial;
- in a comparison with a name like a period (1 <= rectification_days <= 90);
- as a module constant named like a period (*_DAYS, *_MONTHS, *_YEARS);
- as a Decimal rate: Decimal("0.0005") (money quantization, "0.01", aside).
0 and 1 are counting steps ("the day after"), not limits. What is left is listed below with the reason
it is not a statutory number; anything new fails the test.
"""

import ast
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("contracts", "repair", "workflow")
SKIPPED_PARTS = {"migrations", "__pycache__"}
SKIPPED_FILES = {"contracts/demo.py", "repair/demo.py"}  # demo seed data, relative to the demo's today

PERIOD_CALLS = {"timedelta", "add_working_days", "add_months"}
AMOUNT_CALLS = {"due_for", "compute_due", "deadline_start", "deadline_extend", "check_amount"}
PERIOD_NAME = re.compile(r"(^|_)(days|weeks|months|years)$|^(days|months|years|amount)$", re.IGNORECASE)
CONSTANT_NAME = re.compile(r"_(DAYS|WEEKS|MONTHS|YEARS)$")
FIELD_BOUNDS = {"default", "max_value", "min_value", "initial"}
STEPS = {0, 1}
MONEY = {Decimal("0.01"), Decimal("0.00"), Decimal(0)}

# (path, where, literal): why it is not a statutory or policy number.
ALLOWED = {
    # Input sanity bounds of a typed field, far outside any statutory term (ten years, a year).
    ("contracts/api/contracts.py", "payment_term_days", 3650): "input bound, not a limit: the rule's ceiling applies",
    ("contracts/api/contracts.py", "acceptance_period_days", 365): "input bound of an agreed acceptance period",
    ("contracts/forms.py", "payment_term_days", 3650): "input bound, not a limit: the rule's ceiling applies",
    ("contracts/forms.py", "acceptance_period_days", 365): "input bound of an agreed acceptance period",
    ("contracts/complaints/forms.py", "days", 365): "input bound; deadline_extend applies the rule's ceiling",
    ("contracts/forms.py", "report_period_months", 12): "input bound: a report period of at most a year",
    # A query-planning threshold of the evaluation's figures (a range longer than a month is read led by its payments).
    ("contracts/evaluation/figures.py", "PAYMENT_LED_AFTER_DAYS", 31): "query plan choice, not a period of law",
    # Excel's binary noise on amounts.
    ("workflow/spreadsheets.py", "parse_amount", Decimal("0.000001")): "float-noise tolerance, not a rate",
    # repair/: the repair-periods rework owns these; they are UI defaults and input bounds, and
    # deadline_extend refuses any extension above the rule's ceiling (repair.feedback: 20 working days).
    ("repair/api/applications.py", "DEFAULT_EXTENSION_DAYS", 5): "default step offered for an extension",
    ("repair/forms.py", "days", 5): "initial value offered for an extension",
    ("repair/api/serializers.py", "days", 365): "input bound; deadline_extend applies the rule's ceiling",
}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    where: str
    literal: object

    def key(self):
        return (self.path, self.where, self.literal)


def _number(node) -> int | float | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _number(node.operand)
        return -value if value is not None else None
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    return None


def _name(node) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _rate(node) -> Decimal | None:
    if isinstance(node, ast.Call) and _name(node.func) == "Decimal" and node.args:
        arg = node.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str | float):
            try:
                value = Decimal(str(arg.value))
            except InvalidOperation:
                return None
            if 0 < abs(value) < 1 and value not in MONEY:
                return value
    return None


class _Scanner(ast.NodeVisitor):
    def __init__(self, path: str):
        self.path = path
        self.scope: list[str] = []
        self.findings: list[Finding] = []

    def _add(self, node, where, literal):
        if literal in STEPS:
            return
        self.findings.append(Finding(self.path, node.lineno, where, literal))

    def _where(self):
        return self.scope[-1] if self.scope else "<module>"

    def _visit_scope(self, node):
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    def visit_FunctionDef(self, node):
        args = node.args
        positional = args.posonlyargs + args.args
        for arg, default in zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True):
            self._default(arg.arg, default)
        for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            if default is not None:
                self._default(arg.arg, default)
        self._visit_scope(node)

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_ClassDef = _visit_scope

    def _default(self, name, default):
        value = _number(default)
        if value is not None and PERIOD_NAME.search(name):
            self._add(default, name, value)
        rate = _rate(default)
        if rate is not None:
            self._add(default, name, rate)

    def visit_Call(self, node):
        called = _name(node.func)
        if called in PERIOD_CALLS:
            # timedelta(hours=..., minutes=..., seconds=...) are technical intervals, not legal periods.
            periods = node.args[:1] if called == "timedelta" else node.args
            keywords = [k.value for k in node.keywords if called != "timedelta" or k.arg in ("days", "weeks")]
            for arg in [*periods, *keywords]:
                value = _number(arg)
                if value is not None:
                    self._add(arg, self._where(), value)
        for kw in node.keywords:
            value = _number(kw.value)
            if value is None or called in PERIOD_CALLS:
                continue
            if (kw.arg == "amount" and called in AMOUNT_CALLS) or (
                kw.arg and kw.arg != "amount" and PERIOD_NAME.search(kw.arg)
            ):
                self._add(kw.value, self._where(), value)
        rate = _rate(node)
        if rate is not None:
            self._add(node, self._where(), rate)
        self.generic_visit(node)

    def visit_Assign(self, node):
        for target in node.targets:
            name = _name(target)
            if not name:
                continue
            value = _number(node.value)
            if value is not None and CONSTANT_NAME.search(name):
                self._add(node, name, value)
            if isinstance(node.value, ast.Call) and PERIOD_NAME.search(name):
                for kw in node.value.keywords:
                    bound = _number(kw.value)
                    if kw.arg in FIELD_BOUNDS and bound is not None:
                        self._add(kw.value, name, bound)
        self.generic_visit(node)

    def visit_Compare(self, node):
        operands = [node.left, *node.comparators]
        if any(PERIOD_NAME.search(_name(o)) for o in operands if _name(o)):
            for o in operands:
                value = _number(o)
                if value is not None:
                    self._add(o, self._where(), value)
        self.generic_visit(node)


def scan_source(source: str, path: str = "<snippet>") -> list[Finding]:
    scanner = _Scanner(path)
    scanner.visit(ast.parse(source))
    return scanner.findings


def domain_files():
    for top in SCANNED:
        for file in sorted((ROOT / top).rglob("*.py")):
            rel = file.relative_to(ROOT).as_posix()
            if SKIPPED_PARTS & set(file.parts) or rel in SKIPPED_FILES:
                continue
            yield rel, file


def scan_domain() -> list[Finding]:
    findings = []
    for rel, file in domain_files():
        findings += scan_source(file.read_text(encoding="utf-8"), rel)
    return findings


def test_no_statutory_literal_in_the_domain_code():
    unexplained = [f for f in scan_domain() if f.key() not in ALLOWED]
    assert unexplained == [], "\n".join(
        f"{f.path}:{f.line} ({f.where}): {f.literal} — put it in a rule row (workflow.rules.rule_in_force)"
        for f in unexplained
    )


def test_every_allowed_literal_is_still_there():
    """A stale allow-list entry would let a new literal of the same value in later."""
    found = {f.key() for f in scan_domain()}
    assert set(ALLOWED) - found == set()


# --- the scanner catches what it must, and only that --------------------------------------------------


def literals(source):
    return [(f.where, f.literal) for f in scan_source(source)]


def test_the_scanner_finds_injected_periods_and_rates():
    assert literals("due = today + dt.timedelta(days=15)") == [("<module>", 15)]
    assert literals("def f(d):\n    return workdays.add_working_days(d, 3)") == [("f", 3)]
    assert literals("def f(d):\n    return add_months(d, months=6)") == [("f", 6)]
    assert literals("due = due_for('x', d, amount=20)") == [("<module>", 20)]
    assert literals("def open_case(*, rectification_days: int = 15): pass") == [("rectification_days", 15)]
    assert literals("def f(days):\n    if not 1 <= days <= 90:\n        raise X") == [("f", 90)]
    assert literals("RATE = Decimal('0.0005')") == [("<module>", Decimal("0.0005"))]
    assert literals("WARN_DUE_SOON_DAYS = 7") == [("WARN_DUE_SOON_DAYS", 7)]
    assert literals("class F:\n    days = forms.IntegerField(min_value=1, max_value=30, initial=5)") == [
        ("days", 30),
        ("days", 5),
    ]
    assert literals("x = models.PositiveSmallIntegerField(default=15)\nrectification_days = M(default=15)") == [
        ("rectification_days", 15)
    ]


def test_the_scanner_leaves_counting_steps_money_and_data_alone():
    assert literals("gone_on = expires + dt.timedelta(days=1)") == []
    assert literals("due = start + dt.timedelta(days=contract.payment_term_days)") == []
    assert literals("CENT = Decimal('0.01')\nx = amount.quantize(Decimal('0.01'))") == []
    assert literals("PER_PAGE = 25\nstatus = 404\nname = field(max_length=64)") == []
    assert literals("amount = AmountField(min_value=0)") == []


def test_a_literal_injected_into_a_real_module_fails_the_check():
    path = "contracts/disposal/services.py"
    source = (ROOT / path).read_text(encoding="utf-8")
    clean = {f.key() for f in scan_source(source, path)}
    assert clean <= set(ALLOWED)
    needle = "due_for(RECTIFY_RULE, today, amount=case.rectification_days)"
    assert needle in source
    injected = source.replace(needle, "due_for(RECTIFY_RULE, today, amount=15)")
    new = [f for f in scan_source(injected, path) if f.key() not in ALLOWED]
    assert [(f.where, f.literal) for f in new] == [("disposal_issue_notice", 15)]
