"""Staff pages of the government-integrity evaluation (政务诚信评价)."""

import csv
import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from contracts.evaluation.services import (
    evaluation_compute,
    evaluation_report_issue,
    evaluation_weights_set,
    overdue_report,
    period_parse,
    weights_current,
)
from contracts.models import EvaluationWeights
from workflow import clock, roles
from workflow.errors import DomainError
from workflow.models import Agency, Document
from workflow.scoping import agencies_for_user
from workflow.views.documents import PENDING_REFRESH_SECONDS

INDICATOR_LABELS = {
    "registration_timeliness": gettext_lazy("Registration on time"),
    "on_time_payment_rate": gettext_lazy("Payments on time"),
    "overdue_payables": gettext_lazy("Overdue SME payables"),
    "arrears_resolution_rate": gettext_lazy("Arrears resolution rate"),
    "arrears_repayment_rate": gettext_lazy("Arrears repayment rate"),
    "complaint_timeliness": gettext_lazy("Complaints handled on time"),
    "dishonesty_records": gettext_lazy("Government dishonesty records"),
}


def _is_supervisor(user) -> bool:
    return user.is_superuser or roles.has_role(user, roles.SUPERVISOR)


def _rows_for(user, period):
    if not (_is_supervisor(user) or user.agency_id):
        raise DjangoPermissionDenied
    rows = evaluation_compute(period_start=period.start, period_end=period.end)
    if not _is_supervisor(user):
        visible = set(agencies_for_user(user).values_list("id", flat=True))
        rows = [r for r in rows if r["agency"]["id"] in visible]
    for r in rows:
        r["cells"] = [(INDICATOR_LABELS[k], r["indicators"][k]) for k in EvaluationWeights.INDICATORS]
    return rows


def _period(request):
    default = f"{clock.today().year}Q{(clock.today().month - 1) // 3 + 1}"
    try:
        return period_parse(request.GET.get("period") or default), None
    except DomainError as exc:
        return period_parse(default), exc.message


@login_required
def evaluation_ranking(request):
    period, error = _period(request)
    if error:
        messages.error(request, error)
    rows = _rows_for(request.user, period)
    return render(
        request,
        "staff/evaluation/ranking.html",
        {
            "period": period,
            "rows": rows,
            "labels": [INDICATOR_LABELS[k] for k in EvaluationWeights.INDICATORS],
            "weights": weights_current(),
            "is_supervisor": _is_supervisor(request.user),
        },
    )


def _table(rows):
    head = (
        [_("Rank"), _("Agency code"), _("Agency"), _("Score")]
        + [str(INDICATOR_LABELS[k]) for k in EvaluationWeights.INDICATORS]
        + [_("Overdue SME payables (count)"), _("Overdue SME payables (CNY)")]
    )
    body = [
        [r["rank"] or "", r["agency"]["code"], r["agency"]["name"], "" if r["score"] is None else r["score"]]
        + [
            "" if r["indicators"][k] is None else round(100 * r["indicators"][k], 2)
            for k in EvaluationWeights.INDICATORS
        ]
        + [r["figures"]["overdue_payables_count"], r["figures"]["overdue_payables_amount"]]
        for r in rows
    ]
    return head, body


@login_required
def evaluation_export(request, fmt):
    period, error = _period(request)
    if error:
        raise Http404(error)
    head, body = _table(_rows_for(request.user, period))
    filename = f"evaluation-{period.label}"
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")  # BOM: Excel opens UTF-8 Chinese text correctly
        writer = csv.writer(buffer)
        writer.writerow(head)
        writer.writerows(body)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = period.label
        ws.append(head)
        for row in body:
            ws.append(row)
        out = io.BytesIO()
        wb.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _may_issue_report(user) -> bool:
    """The report is an official document of the credit office: a supervisor issues it, as their agency."""
    return _is_supervisor(user) and bool(user.agency_id)


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_report(request, agency_id):
    """The per-agency evaluation report, an official PDF issued once per agency and period.

    GET only shows: the issued report (生成中 until its q2 worker has rendered it; the page reloads itself),
    or, for a supervisor, a button that issues it. Issuing is a POST (CSRF-checked) and renders nothing:
    the PDF is rendered by the worker after commit.
    """
    period, error = _period(request)
    if error:
        raise Http404(error)
    row = next((r for r in _rows_for(request.user, period) if r["agency"]["id"] == agency_id), None)
    if row is None:
        raise Http404
    agency = Agency.objects.get(pk=agency_id)
    may_issue = _may_issue_report(request.user)
    if request.method == "POST":
        if not may_issue:
            raise DjangoPermissionDenied
        try:
            evaluation_report_issue(
                agency=agency, period=period, row=row, issuer=request.user.agency, acting_user=request.user
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return _report_page(request, agency=agency, period=period, row=row, may_issue=may_issue, status=409)
        messages.success(request, _("The evaluation report has been issued; its PDF is being generated."))
        return redirect(f"{reverse('contracts-evaluation-report', args=[agency.pk])}?period={period.label}")
    return _report_page(request, agency=agency, period=period, row=row, may_issue=may_issue)


def _report_page(request, *, agency, period, row, may_issue: bool, status: int = 200):
    document = Document.objects.filter(
        content_type=ContentType.objects.get_for_model(Agency),
        object_id=str(agency.pk),
        doc_type=f"evaluation_report:{period.label}",
    ).first()
    return render(
        request,
        "staff/evaluation/report.html",
        {
            "agency": agency,
            "period": period,
            "period_open": period.end >= clock.today(),
            "row": row,
            "document": document,
            "may_issue": may_issue,
            "refresh_seconds": PENDING_REFRESH_SECONDS,
        },
        status=status,
    )


class WeightsForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for the change"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, initial_weights=None, **kwargs):
        super().__init__(*args, **kwargs)
        for key in EvaluationWeights.INDICATORS:
            self.fields[key] = forms.IntegerField(
                label=INDICATOR_LABELS[key], min_value=0, max_value=100, initial=(initial_weights or {}).get(key, 0)
            )
        self.order_fields([*EvaluationWeights.INDICATORS, "reason"])


@login_required
def evaluation_weights(request):
    if not _is_supervisor(request.user):
        raise DjangoPermissionDenied
    current = weights_current()
    form = WeightsForm(request.POST or None, initial_weights=current.weights if current else {})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            evaluation_weights_set(
                weights={k: data[k] for k in EvaluationWeights.INDICATORS},
                reason=data["reason"],
                effective_from=clock.today(),
                acting_user=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The new weights apply from today."))
            return redirect("contracts-evaluation-weights")
    history = EvaluationWeights.objects.select_related("created_by").order_by("-effective_from", "-id")
    return render(
        request,
        "staff/evaluation/weights.html",
        {
            "form": form,
            "history": history,
            "labels": INDICATOR_LABELS,
            "indicators": EvaluationWeights.INDICATORS,
        },
    )


@login_required
def evaluation_overdue(request, year):
    if not (_is_supervisor(request.user) or request.user.agency_id):
        raise DjangoPermissionDenied
    report = overdue_report(year=year)
    if not _is_supervisor(request.user):
        visible = set(agencies_for_user(request.user).values_list("id", flat=True))
        report["agencies"] = [a for a in report["agencies"] if a["agency"]["id"] in visible]
    return render(request, "staff/evaluation/overdue.html", {"report": report})
