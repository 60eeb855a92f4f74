from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EvaluationWeights(models.Model):
    """Weights of the government-integrity evaluation (政务诚信评价); a new row per change (history)."""

    INDICATORS = (
        "registration_timeliness",
        "on_time_payment_rate",
        "overdue_payables",
        "arrears_resolution_rate",
        "arrears_repayment_rate",
        "complaint_timeliness",
        "dishonesty_records",
    )

    weights = models.JSONField(_("weights"))
    reason = models.TextField(_("reason for the change"))
    effective_from = models.DateField(_("effective from"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("evaluation weights")
        verbose_name_plural = _("evaluation weights")
        ordering = ["-effective_from", "-id"]

    def __str__(self) -> str:
        return f"{self.effective_from}"


class KpiFigures(models.Model):
    """The figures kept per agency and period (KpiMonth, KpiDay): see contracts.evaluation.triggers."""

    agency = models.ForeignKey("workflow.Agency", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    # Registered contracts signed then, and those registered by their registration due date.
    reg_total = models.IntegerField(default=0)
    reg_on_time = models.IntegerField(default=0)
    # Payment milestones (not waived) due then, and those met (paid in full on time).
    pay_total = models.IntegerField(default=0)
    pay_met = models.IntegerField(default=0)
    # Of those, payables to SMEs (not large counterparties) with an amount: how many, how many not paid
    # in full today, and what they still owe today.
    sme_due = models.IntegerField(default=0)
    sme_unpaid = models.IntegerField(default=0)
    sme_unpaid_amount = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    # Arrears cases identified then: how many, resolved today, owed, and what was paid on their
    # milestones after the due date (at any time so far).
    arr_identified = models.IntegerField(default=0)
    arr_resolved = models.IntegerField(default=0)
    arr_owed = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    arr_late_paid = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    # Of those, the cases not resolved today (the ledger's "still outstanding"): how many, owed, repaid.
    arr_open = models.IntegerField(default=0)
    arr_open_owed = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    arr_open_repaid = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        abstract = True


class KpiMonth(KpiFigures):
    """Pre-aggregated figures of the evaluation and the dashboards, per agency and calendar month
    (issue 11: KPIs under 1 s at 1M contracts). Kept by database triggers in the same statement, hence
    the same transaction, as the rows they count (contracts.evaluation.triggers: contracts, payment
    milestones, payments, arrears cases), whichever code writes them (services, the set-based sweep,
    imports, bulk loads). Read by contracts.evaluation.figures; never written by Python.

    `month` is the first day of the month of: signed_on (reg_*), payment_due_on (pay_*, sme_*),
    identified_on (arr_*).
    """

    month = models.DateField()

    class Meta:
        verbose_name = _("monthly KPI figures")
        verbose_name_plural = _("monthly KPI figures")
        constraints = [models.UniqueConstraint(fields=["agency", "month"], name="kpimonth_agency_month")]


class KpiDay(KpiFigures):
    """KpiMonth's figures per agency and day (the date a KpiMonth row's month is taken from): a period's
    partial months at its edges are read from here. Kept by the same triggers."""

    day = models.DateField()

    class Meta:
        verbose_name = _("daily KPI figures")
        verbose_name_plural = _("daily KPI figures")
        constraints = [models.UniqueConstraint(fields=["day", "agency"], name="kpiday_day_agency")]


class KpiEventMonth(models.Model):
    """What happened in a later month (`event_month`) to the figures of a month (`month`, as in KpiMonth),
    per agency: the SME payables due in the month that were paid in full then (their last payment) and the
    amounts paid on them then; the arrears cases identified in the month that were resolved then and the
    amounts paid on them (after their due date) then. KpiMonth says what is true today; a period that ended
    before today is today's figures less these events after its end (contracts.evaluation.figures), so its
    evaluation costs what a current one does. Kept by the same triggers as KpiMonth."""

    agency = models.ForeignKey("workflow.Agency", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    month = models.DateField()
    event_month = models.DateField()
    sme_settled = models.IntegerField(default=0)
    sme_paid = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    arr_resolved = models.IntegerField(default=0)
    arr_paid = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("KPI events per month")
        verbose_name_plural = _("KPI events per month")
        constraints = [
            models.UniqueConstraint(fields=["month", "event_month", "agency"], name="kpieventmonth_month_event_agency")
        ]


class OpenWarningDay(models.Model):
    """Open (or acknowledged) warnings per agency, day raised and level: the dashboard's warnings by level
    and age without counting every open warning of the city. Kept like KpiMonth, by database triggers on
    contracts_warning (contracts.evaluation.triggers)."""

    agency = models.ForeignKey("workflow.Agency", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    raised_on = models.DateField()
    level = models.PositiveSmallIntegerField()
    open = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("open warnings per day")
        verbose_name_plural = _("open warnings per day")
        constraints = [
            models.UniqueConstraint(fields=["agency", "raised_on", "level"], name="openwarningday_agency_day_level")
        ]
