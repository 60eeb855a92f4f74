"""Credit repair applications: instant check (即申即办), review under statutory clocks, decisions.

- `repair.accept` (3 working days): an eligible application is accepted at once, so this clock is met
  on the day of application; `repair.feedback` (10 working days from the application) runs until the
  decision; asking for more material (补正) pauses it; a complex case may be extended with a reason
  the applicant sees. Serious-category decisions need a supervisor's approval.
- The rules in force on the application date apply (令第58号 before 2026-04-01, 令第36号 from then).
"""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from repair import notify
from repair.models import (
    DishonestyRecord,
    OpenApplicationRecord,
    RepairApplication,
    RepairPowerOfAttorney,
    RepairProof,
)
from repair.selectors import ACTIVE, OPEN_APPLICATION
from repair.services.notices import application_issue_decision, application_issue_not_accepted
from repair.services.window import power_of_attorney_check, window_agent_clean
from workflow import clock, roles
from workflow.audit import audit_record
from workflow.deadlines import (
    allowed_on,
    deadline_complete,
    deadline_extend,
    deadline_pause,
    deadline_resume,
    deadline_start,
    deadlines_for,
)
from workflow.documents import document_issue
from workflow.errors import Conflict, PermissionDenied, ValidationFailed
from workflow.models import Enterprise
from workflow.outbox import outbox_enqueue
from workflow.transitions import locked, transition
from workflow.uploads import MAX_EVIDENCE_BYTES, uploads_check

COMMITMENT_TEMPLATE = (
    "信用承诺书\n本单位{name}（统一社会信用代码：{uscc}）就{numbers}所涉失信行为申请信用修复，郑重承诺："
    "一、已纠正失信行为、履行法定义务，所提交的材料真实、准确、完整；二、今后严格遵守法律法规，诚信经营；"
    "三、如有虚假承诺或再次发生同类失信行为，愿意承担相应法律责任，并接受撤销信用修复决定等处理。"
)


REFUSED = gettext_lazy("The application is %(status)s; that is not possible now.")


def commitment_text(enterprise: Enterprise, records) -> str:
    numbers = "、".join(r.decision_number for r in records)
    return COMMITMENT_TEMPLATE.format(name=enterprise.name, uscc=enterprise.uscc, numbers=numbers)


def proof_limits() -> dict:
    """The caps on an application's proofs: each file, how many and how many bytes in all (settings)."""
    return {
        "max_bytes": getattr(settings, "GOVCREDIT_REPAIR_PROOF_MAX_BYTES", MAX_EVIDENCE_BYTES),
        "max_files": getattr(settings, "GOVCREDIT_REPAIR_PROOF_MAX_FILES", 10),
        "max_total_bytes": getattr(settings, "GOVCREDIT_REPAIR_PROOF_MAX_TOTAL_BYTES", 40 * 1024 * 1024),
    }


def proof_limits_text() -> str:
    """The caps as the form help text and the API schema state them."""
    limits = proof_limits()
    return _(
        "PDF, JPG or PNG (content and file name must agree), at most %(each)s MB each; at most %(files)s "
        "files and %(total)s MB in all for one application."
    ) % {
        "each": limits["max_bytes"] // (1024 * 1024),
        "files": limits["max_files"],
        "total": limits["max_total_bytes"] // (1024 * 1024),
    }


def _proofs_check(files, application=None):
    """Check proof files against the caps, counting the proofs `application` already holds."""
    held = (0, 0)
    if application is not None:
        agg = application.proofs.aggregate(n=Count("pk"), size=Sum("size_bytes"))
        held = (agg["n"] or 0, agg["size"] or 0)
    return uploads_check(files, field="proofs", held=held, **proof_limits())


def application_check(*, records, proof_given: bool, commitment_signed: bool, today: dt.date):
    """The instant eligibility check: (eligible, reasons, earliest date it could succeed)."""
    reasons, earliest = [], None

    def no(code, message, record=None):
        reasons.append({"code": code, "message": str(message), "record": record.decision_number if record else None})

    for r in records:
        if r.status not in ACTIVE:
            no(
                "not_repairable",
                _("This record is %(status)s and cannot be repaired.") % {"status": r.get_status_display()},
                r,
            )
            continue
        if not allowed_on(r.earliest_repair_on, today):
            no(
                "too_early",
                _("The minimum publication period has not ended: you may apply from %(day)s.")
                % {"day": r.earliest_repair_on.isoformat()},
                r,
            )
            earliest = max(earliest or r.earliest_repair_on, r.earliest_repair_on)
        open_duties = [ob for ob in r.obligations.all() if not (ob.fulfilled_on or ob.confirmed_by_unit)]
        if open_duties and not proof_given:
            no(
                "obligations_open",
                _(
                    "The obligations imposed are not shown as performed: upload proof, or tick "
                    "that the deciding unit already holds it."
                ),
                r,
            )
        if r.applications.filter(status__in=OPEN_APPLICATION).exists():
            no("pending_application", _("An application for this record is already being reviewed."), r)
    if not commitment_signed:
        no("no_commitment", _("The credit commitment has not been signed."))
    return not reasons, reasons, earliest


def _straight_through(records) -> bool:
    conf = settings.GOVCREDIT_REPAIR_STRAIGHT_THROUGH
    return all(
        r.category in conf["categories"]
        and (not conf["units"] or r.deciding_unit.code in conf["units"])
        and all(ob.confirmed_by_unit for ob in r.obligations.all())
        for r in records
    )


@transaction.atomic
def application_create(
    *,
    enterprise: Enterprise,
    record_ids,
    correction: str,
    proof_held_by_unit: bool,
    commitment: dict,
    acting_user,
    proofs=(),
    channel=RepairApplication.Channel.ONLINE,
    agent: dict | None = None,
    power_of_attorney=None,
) -> RepairApplication:
    """Apply (online, or a window clerk for the enterprise); answered at once. Not eligible is still
    recorded and answered, with every reason and the earliest date it could succeed. An accepted
    application awaits review: repair.process.application_submit starts its flow.

    At the window, an `agent` ({name, id_number, relationship}; the window page always sends one)
    needs all three and the `power_of_attorney` upload. The commitment says whether it was signed
    online or at the window, and by which agent."""
    errors: dict[str, list[str]] = {}
    window = channel == RepairApplication.Channel.WINDOW and agent is not None
    agent_fields: dict = {}
    if window:
        agent_fields, agent_errors = window_agent_clean(agent)
        errors.update(agent_errors)
    ids = [int(i) for i in record_ids or [] if str(i).isdigit()]
    records = list(
        DishonestyRecord.objects.filter(pk__in=ids, enterprise=enterprise)
        .select_related("deciding_unit")
        .prefetch_related("obligations")
    )
    if not ids or len(records) != len(set(ids)):
        errors["records"] = [_("Choose one or more of your own records.")]
    if not (correction or "").strip():
        errors["correction"] = [_("Describe how the conduct was corrected.")]
    signer = ((commitment or {}).get("signer_name") or "").strip()
    if not signer:
        errors["commitment.signer_name"] = [_("Type the name of the person signing the commitment.")]
    if (commitment or {}).get("accepted") is not True:
        errors["commitment.accepted"] = [_("The commitment must be accepted.")]
    if len({r.deciding_unit_id for r in records}) > 1:
        errors["records"] = [_("Apply separately for records of different deciding units.")]
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), "invalid", errors=errors)
    files = _proofs_check(proofs)
    attorney = power_of_attorney_check(power_of_attorney) if window else None
    _records_lock(records)
    today, now = clock.today(), clock.now()
    eligible, reasons, earliest = application_check(
        records=records, proof_given=bool(files) or proof_held_by_unit, commitment_signed=True, today=today
    )
    text = commitment_text(enterprise, records)
    application = RepairApplication.objects.create(
        enterprise=enterprise,
        deciding_unit=records[0].deciding_unit,
        channel=channel,
        filed_by=acting_user,
        correction=correction.strip(),
        proof_held_by_unit=bool(proof_held_by_unit),
        commitment_signer=signer,
        commitment_signed_at=now,
        commitment_sha256=hashlib.sha256(text.encode()).hexdigest(),
        status=RepairApplication.Status.ACCEPTED if eligible else RepairApplication.Status.INELIGIBLE,
        eligible=eligible,
        reasons=reasons,
        earliest_date=earliest,
        applied_on=today,
        accepted_on=today if eligible else None,
        created_at=now,
        **agent_fields,
    )
    application.records.set(records)
    if eligible:
        _records_claim(application, records)
    for checked in files:
        RepairProof.store(checked, application=application, uploaded_at=now)
    if attorney is not None:
        RepairPowerOfAttorney.store(attorney, application=application, uploaded_at=now)
    document_issue(
        case=application,
        doc_type="credit_commitment",
        title="信用承诺书",
        template="documents/credit_commitment.html",
        acting_user=acting_user,
        context={
            "text": text,
            "signer": signer,
            "signed_at": clock.local(now).strftime("%Y-%m-%d %H:%M"),
            "sha256": application.commitment_sha256,
            "recipients": records[0].deciding_unit.name,
            "channel": str(channel),
            "agent": agent_fields.get("agent_name", ""),
        },
    )
    if not eligible:  # an adverse act, answered in writing with its reasons and the remedies
        application_issue_not_accepted(application=application, acting_user=acting_user)
    if eligible:
        accept = deadline_start(case=application, purpose="accept", rule_code="repair.accept", start_on=today)
        deadline_complete(deadline=accept, on=today)
        deadline_start(case=application, purpose="feedback", rule_code="repair.feedback", start_on=today)
        document_issue(
            case=application,
            doc_type="acceptance_notice",
            title="信用修复申请受理通知书",
            template="documents/repair_acceptance.html",
            issuer=application.deciding_unit,
            # A numbered act like every other: X市监信修受〔2026〕1号 (docs/documents.md).
            series="信修受" if application.deciding_unit.doc_prefix else "",
            acting_user=acting_user,
            context={
                "recipients": enterprise.name,
                "applied_on": today.isoformat(),
                "numbers": [r.decision_number for r in records],
                "feedback_due": _clock(application, "feedback").due_on.isoformat(),
            },
        )
        if _straight_through(records):
            # Nothing left for a person to verify: decided at once, no review task is created.
            _finalize(
                application,
                approve=True,
                reason=_(
                    "All conditions are met and every obligation is confirmed in the deciding unit's own systems."
                ),
                actor=None,
            )
    audit_record(
        action="repair.apply",
        obj=application,
        actor=acting_user,
        to_state=application.status,
        changes={"eligible": eligible, "reasons": [r["code"] for r in reasons], "channel": channel},
    )
    if application.status == RepairApplication.Status.ACCEPTED:
        notify.application_accepted_notify(application=application)
    return application


def _records_lock(records) -> None:
    """Lock the records applied for (in id order, so that two applications never wait for each other) and
    refuse a second open application for any of them: a simultaneous applicant waits here for the first
    one's commit and then finds its application."""
    ids = sorted(r.pk for r in records)
    list(DishonestyRecord.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    if OpenApplicationRecord.objects.filter(record_id__in=ids).exists():
        raise Conflict(_("An application for this record is already being reviewed."), "application_exists")


def _records_claim(application, records) -> None:
    """The open application's hold on its records; the unique record refuses a second one even without
    the lock."""
    try:
        with transaction.atomic():
            OpenApplicationRecord.objects.bulk_create(
                [OpenApplicationRecord(record=r, application=application) for r in records]
            )
    except IntegrityError as exc:
        raise Conflict(_("An application for this record is already being reviewed."), "application_exists") from exc


def _clock(application, purpose):
    return deadlines_for(application).filter(purpose=purpose).first()


@transaction.atomic
def application_supplement(*, application, items: str, acting_user) -> RepairApplication:
    """补正: ask for more material; the feedback clock stops until it arrives."""
    if not items.strip():
        raise ValidationFailed(_("List the material needed."), "required", field="items")
    application = locked(application)
    before = transition(
        application, "ask_supplement", refused=REFUSED, code="application_state", values={"supplement_items": items}
    )
    deadline_pause(deadline=_clock(application, "feedback"), on=clock.today(), reason=items, acting_user=acting_user)
    audit_record(
        action="repair.supplement",
        obj=application,
        actor=acting_user,
        from_state=before,
        to_state=application.status,
        reason=items,
    )
    notify.application_supplement_notify(application=application)
    return application


@transaction.atomic
def application_supplement_received(*, application, proofs=(), acting_user) -> RepairApplication:
    application = locked(application)
    files = _proofs_check(proofs, application)  # under the lock: the per-application cap holds
    before = transition(application, "receive_supplement", refused=REFUSED, code="application_state")
    for checked in files:
        RepairProof.store(checked, application=application)
    deadline_resume(deadline=_clock(application, "feedback"), on=clock.today(), acting_user=acting_user)
    audit_record(
        action="repair.supplement_received",
        obj=application,
        actor=acting_user,
        from_state=before,
        to_state=application.status,
    )
    notify.application_supplement_received_notify(application=application)
    return application


@transaction.atomic
def application_extend(*, application, days: int, reason: str, approver) -> RepairApplication:
    """A complex case: more time, with the reason the applicant sees."""
    application = locked(application)
    if application.status not in (RepairApplication.Status.ACCEPTED, RepairApplication.Status.SUPPLEMENT):
        raise Conflict(_("Only an application under review can be extended."), "application_state")
    deadline_extend(
        deadline=_clock(application, "feedback"), amount=days, reason=reason, approver=approver, acting_user=approver
    )
    application.extension_reason = reason
    application.save(update_fields=["extension_reason"])
    audit_record(action="repair.extend", obj=application, actor=approver, reason=reason, changes={"days": days})
    return application


def application_decide(*, application, approve: bool, reason: str, acting_user) -> RepairApplication:
    """The deciding unit's review. Approving a serious-category record needs a supervisor's approval."""
    if not reason.strip():
        raise ValidationFailed(_("Give the reasons for the decision."), "required", field="reason")
    application = locked(application)
    application.reviewed_by = acting_user
    if approve and application.records.filter(category=DishonestyRecord.Category.SERIOUS).exists():
        # The officer proposes; the supervisor decides. The officer's opinion stays in the case history.
        application.review_opinion = reason
        transition(
            application,
            "propose_approval",
            refused=REFUSED,
            code="application_state",
            fields=["reviewed_by", "review_opinion"],
            actor=acting_user,
            action="repair.propose",
            reason=reason,
        )
        notify.application_approval_notify(application=application)
        return application
    application.decision_reason = reason
    application.save(update_fields=["reviewed_by", "decision_reason"])
    return _finalize(application, approve=approve, reason=reason, actor=acting_user)


def application_supervisor_decide(*, application, approve: bool, reason: str, acting_user) -> RepairApplication:
    if not roles.has_role(acting_user, roles.SUPERVISOR):
        raise PermissionDenied(_("A supervisor approves serious-category repairs."), "forbidden")
    if not reason.strip():
        raise ValidationFailed(_("Give the reasons for the decision."), "required", field="reason")
    application = locked(application)
    if application.status != RepairApplication.Status.AWAITING_APPROVAL:
        raise Conflict(_("This application is not awaiting approval."), "application_state")
    # The decision carries the decider's own reasons only (the officer's opinion is in review_opinion).
    return _finalize(application, approve=approve, reason=reason.strip(), actor=acting_user)


def _finalize(application, *, approve: bool, reason: str, actor) -> RepairApplication:
    today = clock.today()
    before = transition(
        application,
        "approve" if approve else "reject",
        refused=REFUSED,
        code="application_state",
        values={"approved": approve, "decided_on": today, "decision_reason": reason},
    )
    OpenApplicationRecord.objects.filter(application=application).delete()
    feedback = _clock(application, "feedback")
    if feedback is not None and feedback.status in ("running", "paused", "overdue"):
        deadline_complete(deadline=feedback, on=today, acting_user=actor)
    records = list(application.records.select_related("enterprise"))
    if approve:
        for record in DishonestyRecord.objects.select_for_update().filter(pk__in=[r.pk for r in records]):
            was = record.status
            record.repair()
            record.ended_on = today
            record.save(update_fields=["status", "ended_on"])
            audit_record(
                action="record.repaired",
                obj=record,
                actor=actor,
                from_state=was,
                to_state=record.status,
                reason=notify.application_code(application),
            )
        # Sharing stops: the city credit platform is told within `repair.sync`.
        deadline_start(case=application, purpose="sync", rule_code="repair.sync", start_on=today)
        outbox_enqueue(
            destination="city_credit_platform",
            topic="dishonesty_record.repaired",
            idempotency_key=f"repair-application-{application.pk}-approved",
            payload={
                "application_id": application.pk,
                "decided_on": today.isoformat(),
                "records": [
                    {"id": r.pk, "decision_number": r.decision_number, "deciding_unit": application.deciding_unit.code}
                    for r in records
                ],
            },
        )
    application_issue_decision(
        application=application,
        approve=approve,
        reason=reason,
        numbers=[r.decision_number for r in records],
        actor=actor,
    )
    notify.application_decided_notify(application=application)
    audit_record(
        action="repair.decide",
        obj=application,
        actor=actor,
        from_state=before,
        to_state=application.status,
        reason=reason,
    )
    return application
