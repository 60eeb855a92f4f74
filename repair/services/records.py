"""Dishonesty records, dual notices (双书同达) and publication: services of the repair app."""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from stdnum.cn import ric

from repair.models import DishonestyRecord, NoticeService, Obligation, PenaltyDecisionFile
from repair.periods import record_periods
from repair.services.notices import record_decision_attach, record_issue_notices
from workflow import clock, roles
from workflow.audit import audit_record
from workflow.deadlines import lasts_on
from workflow.errors import Conflict, PermissionDenied, ValidationFailed
from workflow.models import Delivery, Document, Enterprise
from workflow.models.parties import validate_uscc
from workflow.outbox import outbox_enqueue
from workflow.transitions import locked, transition


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def record_validate(data: dict) -> dict:
    errors: dict[str, list[str]] = {}

    def err(field, message):
        errors.setdefault(field, []).append(str(message))

    subject = data.get("subject")
    if not isinstance(subject, dict):
        subject = {}
    out: dict[str, Any] = {
        "uscc": _text(subject.get("uscc")).upper(),
        "name": _text(subject.get("name")),
        "person_name": _text(subject.get("person_name")),
        "id_number": _text(subject.get("id_number")).upper(),
    }
    if out["uscc"]:
        try:
            validate_uscc(out["uscc"])
        except Exception:  # noqa: BLE001 - a field error
            err("subject.uscc", _("Enter a valid unified social credit code (18 characters)."))
        if not out["name"]:
            err("subject.name", _("Enter the subject's name."))
    elif out["person_name"]:
        if not ric.is_valid(out["id_number"]):
            err("subject.id_number", _("Enter a valid resident ID card number."))
    else:
        err("subject", _("Give the enterprise's USCC and name, or the person's name and ID card number."))
    out["type"] = data.get("type")
    if out["type"] not in DishonestyRecord.Type.values:
        err("type", _("Choose the type of information."))
    out["category"] = data.get("category")
    if out["category"] not in DishonestyRecord.Category.values:
        err("category", _("Choose minor, general or serious."))
    out["publish_minor"] = bool(data.get("publish")) and out["category"] == DishonestyRecord.Category.MINOR
    types = data.get("penalty_types") or []
    if isinstance(types, str):  # a spreadsheet cell or a form field: "fine, production_suspension"
        types = [t.strip() for t in types.replace("，", ",").replace("、", ",").split(",") if t.strip()]
    if not isinstance(types, list | tuple) or any(t not in DishonestyRecord.PenaltyType.values for t in types):
        err("penalty_types", _("Choose the penalty types from the list."))
        types = []
    out["penalty_types"] = list(dict.fromkeys(types))
    out["domain"] = _text(data.get("domain"))
    if out["domain"] not in DishonestyRecord.Domain.values:
        err("domain", _("Choose the domain from the list."))
    out["decision_number"] = _text(data.get("decision_number"))
    if not out["decision_number"]:
        err("decision_number", _("Enter the decision number."))
    elif len(out["decision_number"]) > 64:  # refused, never cut
        err("decision_number", _("At most %(limit)s characters.") % {"limit": 64})
    try:
        out["decided_on"] = (
            data["decided_on"]
            if isinstance(data.get("decided_on"), dt.date)
            else dt.date.fromisoformat(str(data.get("decided_on")))
        )
        if out["decided_on"] > clock.today():
            err("decided_on", _("The decision date cannot be in the future."))
    except ValueError:
        err("decided_on", _("Enter a date as YYYY-MM-DD."))
    for field in ("facts", "basis"):
        out[field] = _text(data.get(field))
        if not out[field]:
            err(field, _("This field is required."))
    _decision_validate(data, out, err)
    out["obligations"] = []
    obligations = data.get("obligations") or []
    if not isinstance(obligations, list | tuple):
        err("obligations", _("List the obligations the decision imposes."))
        obligations = []
    for i, ob in enumerate(obligations):
        kind = ob.get("kind") if isinstance(ob, dict) else None
        if kind not in Obligation.Kind.values:
            err(f"obligations.{i}.kind", _("Choose the kind of obligation."))
            continue
        try:
            amount = None if ob.get("amount") in (None, "") else Decimal(str(ob["amount"]))
            if amount is not None and amount < 0:
                raise InvalidOperation
        except InvalidOperation:
            err(f"obligations.{i}.amount", _("Enter an amount in yuan."))
            continue
        try:
            due = None if not ob.get("due_on") else dt.date.fromisoformat(str(ob["due_on"]))
        except ValueError:
            err(f"obligations.{i}.due_on", _("Enter a date as YYYY-MM-DD."))
            continue
        out["obligations"].append({"kind": kind, "amount": amount, "due_on": due})
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), "invalid", errors=errors)
    return out


def _decision_validate(data: dict, out: dict, err) -> None:
    """The decision document: issued here complete (行政处罚法 第五十九条 needs the party's address and the
    evidence), or the unit's own PDF attached (now or on the record page before service)."""
    source = data.get("decision_source") or DishonestyRecord.DecisionSource.ISSUED
    out["decision_source"] = source
    if source not in DishonestyRecord.DecisionSource.values:
        err("decision_source", _("Choose whether the decision is issued here or its PDF is attached."))
    out["subject_address"] = _text(data.get("subject_address"))
    out["evidence"] = _text(data.get("evidence"))
    if len(out["subject_address"]) > 200:
        err("subject_address", _("At most %(limit)s characters.") % {"limit": 200})
    if source == DishonestyRecord.DecisionSource.ISSUED:
        if not out["subject_address"]:
            err("subject_address", _("A decision issued here must state the party's address."))
        if not out["evidence"]:
            err("evidence", _("A decision issued here must state the evidence."))


@transaction.atomic
def record_create(*, data: dict, acting_user, decision_file=None) -> DishonestyRecord:
    """Record a decision and, in the same act, issue the decision document and the credit repair
    notice (双书同达). The deciding unit is the penalty officer's agency."""
    if not roles.has_role(acting_user, roles.PENALTY_OFFICER) or acting_user.agency_id is None:
        raise PermissionDenied(
            _("Only a penalty officer of a deciding unit records dishonesty information."), "forbidden"
        )
    clean = record_validate(data)
    unit = acting_user.agency
    if DishonestyRecord.objects.filter(deciding_unit=unit, decision_number=clean["decision_number"]).exists():
        raise ValidationFailed(
            _("This decision number is already recorded."), "duplicate_decision", field="decision_number"
        )
    enterprise = None
    if clean["uscc"]:
        enterprise, _created = Enterprise.objects.get_or_create(
            uscc=clean["uscc"], defaults={"name": clean["name"], "size": Enterprise.Size.SMALL}
        )
    periods = record_periods(
        category=clean["category"],
        decided_on=clean["decided_on"],
        publish_minor=clean["publish_minor"],
        penalty_types=clean["penalty_types"],
        domain=clean["domain"],
        is_penalty=clean["type"] == DishonestyRecord.Type.ADMIN_PENALTY,
    )
    earliest, ends = periods.earliest_repair_on, periods.publication_ends_on
    record = DishonestyRecord.objects.create(
        enterprise=enterprise,
        person_name=clean["person_name"] if not enterprise else "",
        person_id_number=clean["id_number"] if not enterprise else "",
        type=clean["type"],
        category=periods.category,  # the stated tier, raised by the penalty types (the longest wins)
        publish_minor=clean["publish_minor"] and periods.category == DishonestyRecord.Category.MINOR,
        penalty_types=clean["penalty_types"],
        domain=clean["domain"],
        periods_basis=periods.cite,
        deciding_unit=unit,
        decision_number=clean["decision_number"],
        decided_on=clean["decided_on"],
        decision_source=clean["decision_source"],
        subject_address=clean["subject_address"],
        facts=clean["facts"],
        evidence=clean["evidence"],
        basis=clean["basis"],
        earliest_repair_on=earliest,
        publication_ends_on=ends,
        recorded_by=acting_user,
        created_at=clock.now(),
    )
    for ob in clean["obligations"]:
        Obligation.objects.create(record=record, **ob)
    record_issue_notices(record=record, acting_user=acting_user)
    audit_record(
        action="record.create",
        obj=record,
        actor=acting_user,
        to_state=record.status,
        changes={
            "category": record.category,
            "stated_category": clean["category"],
            "rules": [f"{r.code}@{r.effective_from.isoformat()}" for r in periods.rules],
            "earliest_repair_on": earliest.isoformat(),
            "publication_ends_on": ends.isoformat() if ends else None,
            "decision_source": record.decision_source,
        },
    )
    if decision_file is not None:  # stored last: nothing after it can roll the transaction back
        record_decision_attach(record=record, upload=decision_file, acting_user=acting_user)
    return record


@transaction.atomic
def record_serve_notices(
    *, record: DishonestyRecord, method: str, delivered_on: dt.date, recipient: str, receipt: str = "", acting_user
) -> Delivery:
    """Serve the two documents together: one delivery record for both."""
    if method not in Delivery.Method.values:
        raise ValidationFailed(_("Choose how the documents were served."), "invalid", field="method")
    if delivered_on < record.decided_on or delivered_on > clock.today():
        raise ValidationFailed(
            _("The service date must be between the decision and today."), "invalid", field="delivered_on"
        )
    if not recipient.strip():
        raise ValidationFailed(_("Name who received the documents."), "required", field="recipient")
    record = locked(record)  # a simultaneous service waits here, then finds this one
    docs = list(_notice_documents(record))
    attached = record.decision_source == DishonestyRecord.DecisionSource.ATTACHED
    if attached and not PenaltyDecisionFile.objects.filter(record=record).exists():
        raise Conflict(
            _("Attach the deciding unit's own decision (PDF) before serving it with the notice."), "decision_missing"
        )
    if len(docs) != (1 if attached else 2):
        raise Conflict(_("Both documents must be issued before they are served."), "notice_missing")
    served = Conflict(_("These documents have already been served."), "already_served")
    if NoticeService.objects.filter(record=record).exists() or Delivery.objects.filter(documents__in=docs).exists():
        raise served
    delivery = Delivery.objects.create(
        method=method, delivered_on=delivered_on, recipient=recipient, receipt=receipt, recorded_by=acting_user
    )
    delivery.documents.set(docs)
    try:
        with transaction.atomic():
            NoticeService.objects.create(record=record, delivery=delivery)
    except IntegrityError as exc:  # served by another request although the lock was not taken
        raise served from exc
    audit_record(
        action="record.serve",
        obj=record,
        actor=acting_user,
        changes={"method": method, "delivered_on": delivered_on.isoformat(), "recipient": recipient},
    )
    return delivery


def _notice_documents(record):
    from django.contrib.contenttypes.models import ContentType

    return Document.objects.filter(
        content_type=ContentType.objects.get_for_model(DishonestyRecord),
        object_id=str(record.pk),
        doc_type__in=["penalty_decision", "repair_notice"],
    )


@transaction.atomic
def record_publish(*, record: DishonestyRecord, acting_user) -> DishonestyRecord:
    """Publish a record: never without its repair notice, never a minor one not marked for publication."""
    record = locked(record)
    if not record.publishable:
        raise Conflict(_("Minor dishonesty information is not published unless marked necessary."), "not_publishable")
    if not _notice_documents(record).filter(doc_type="repair_notice").exists():
        raise Conflict(_("The credit repair notice must be issued before publication."), "notice_missing")
    if not lasts_on(record.publication_ends_on, clock.today()):
        raise Conflict(_("The publication period of this record is already over."), "publication_over")
    transition(
        record,
        "publish",
        refused=_("This record cannot be published in its state."),
        code="record_state",
        values={"published_at": clock.now()},
        actor=acting_user,
        action="record.publish",
    )
    outbox_enqueue(
        destination="city_credit_platform",
        topic="dishonesty_record.published",
        idempotency_key=f"dishonesty-record-{record.pk}-published",
        payload={
            "record_id": record.pk,
            "decision_number": record.decision_number,
            "deciding_unit": record.deciding_unit.code,
            "category": record.category,
            "subject_uscc": record.enterprise.uscc if record.enterprise else None,
            "publication_ends_on": record.publication_ends_on.isoformat() if record.publication_ends_on else None,
        },
    )
    return record


@transaction.atomic
def records_recompute_periods(*, reason: str, acting_user=None) -> list[dict]:
    """Recompute the stored periods of every record still recorded or published from the rule rows as
    they now stand (after a correction of a period rule, its dates or its lists of penalty types).

    The law in force on each decision date is asked again through `record_periods`, with the record's
    tier as the stated one (a tier is never lowered), its penalty types and domain. A record whose first
    day to apply, last day of publication, tier or cited instruments differ is updated and gets one audit
    row (`record.periods_recompute`, before/after, the reason); the others are left alone, so running it
    twice changes nothing the second time. Repaired, expired and revoked records keep what they had.
    Returns one entry per changed record: {"record": pk, "decision_number": ..., field: [before, after]},
    and one per record left unchanged because no rule covers it any more ({..., "error": code}).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the periods are recomputed."), "reason_required", field="reason")
    live = (DishonestyRecord.Status.RECORDED, DishonestyRecord.Status.PUBLISHED)
    changed: list[dict] = []
    for record in DishonestyRecord.objects.select_for_update().filter(status__in=live).order_by("pk"):
        try:
            periods = record_periods(
                category=record.category,
                decided_on=record.decided_on,
                publish_minor=record.publish_minor,
                penalty_types=record.penalty_types or [],
                domain=record.domain,
                is_penalty=record.type == DishonestyRecord.Type.ADMIN_PENALTY,
            )
        except ValidationFailed as exc:  # e.g. no period rule left in force on its decision date
            changed.append({"record": record.pk, "decision_number": record.decision_number, "error": exc.code})
            continue
        after = {
            "category": periods.category,
            "earliest_repair_on": periods.earliest_repair_on,
            "publication_ends_on": periods.publication_ends_on,
            "periods_basis": periods.cite,
        }
        diff = {f: [getattr(record, f), v] for f, v in after.items() if getattr(record, f) != v}
        if not diff:
            continue
        DishonestyRecord.objects.filter(pk=record.pk).update(**{f: v for f, (_old, v) in diff.items()})
        shown = {f: [None if x is None else str(x) for x in pair] for f, pair in diff.items()}
        audit_record(
            action="record.periods_recompute",
            obj=record,
            actor=acting_user,
            reason=reason,
            changes={**shown, "rules": [f"{r.code}@{r.effective_from.isoformat()}" for r in periods.rules]},
        )
        changed.append({"record": record.pk, "decision_number": record.decision_number, **shown})
    return changed
