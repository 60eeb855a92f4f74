"""The repair part of the daily sweep: set-based, safe to run twice and for a past date."""

import datetime as dt
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from repair.models import DishonestyRecord, RepairApplication, RepairProof
from repair.selectors import ACTIVE
from workflow import clock, roles
from workflow.audit import audit_record
from workflow.deadlines import allowed_on, allowed_q, ended_q
from workflow.models import Notification, User
from workflow.sweeps import sweep_step
from workflow.transitions import bulk_transition


@sweep_step("repair.expiry", order=40)
@transaction.atomic
def sweep_expiry(*, as_of: dt.date) -> int:
    """Publication ends by itself at the maximum period: the record leaves the public list."""
    ids = list(
        DishonestyRecord.objects.filter(status=DishonestyRecord.Status.PUBLISHED)
        .filter(ended_q("publication_ends_on", as_of))  # "至X止": gone on X+1, not on X
        .values_list("id", flat=True)
    )
    changed = bulk_transition(
        model=DishonestyRecord,
        ids=ids,
        field="status",
        source=DishonestyRecord.Status.PUBLISHED,
        target=DishonestyRecord.Status.EXPIRED,
        action="record.expired",
        changes={"as_of": as_of.isoformat()},
    )
    DishonestyRecord.objects.filter(pk__in=ids, ended_on__isnull=True).update(ended_on=F("publication_ends_on"))
    return changed


@sweep_step("repair.reminders", order=41)
@transaction.atomic
def sweep_reminders(*, as_of: dt.date) -> int:
    """Tell the subject's users when a record reaches its earliest repair date, and again a configurable
    number of days before it — once per record and milestone, whatever the sweep's schedule."""
    days_before = getattr(settings, "GOVCREDIT_REPAIR_REMIND_DAYS_BEFORE", 7)
    candidates = (
        DishonestyRecord.objects.filter(status__in=ACTIVE, enterprise__isnull=False)
        .filter(allowed_q("earliest_repair_on", as_of + dt.timedelta(days=days_before)))
        .exclude(category=DishonestyRecord.Category.MINOR, publish_minor=False)
        .values("id", "enterprise_id", "decision_number", "earliest_repair_on")
    )
    rows = list(candidates)
    if not rows:
        return 0
    users: dict[int, list[int]] = {}
    for uid, eid in User.objects.filter(
        enterprise_id__in={r["enterprise_id"] for r in rows}, is_active=True, groups__name=roles.ENTERPRISE_USER
    ).values_list("id", "enterprise_id"):
        users.setdefault(eid, []).append(uid)
    now = clock.now()
    notes = []
    for r in rows:
        milestone = "open" if allowed_on(r["earliest_repair_on"], as_of) else "soon"
        if milestone == "open":
            title = _("You may now apply for credit repair of %(number)s") % {"number": r["decision_number"]}
        else:
            title = _("From %(day)s you may apply for credit repair of %(number)s") % {
                "day": r["earliest_repair_on"].isoformat(),
                "number": r["decision_number"],
            }
        notes += [
            Notification(
                recipient_id=uid,
                category="repair.reminder",
                title=title,
                created_at=now,
                dedupe_key=f"repair-reminder:{r['id']}:{milestone}",
            )
            for uid in users.get(r["enterprise_id"], [])
        ]
    before = Notification.objects.count()
    Notification.objects.bulk_create(notes, batch_size=1000, ignore_conflicts=True)
    created = Notification.objects.count() - before
    if created:
        from workflow.jobs import enqueue

        for pk in Notification.objects.filter(
            category="repair.reminder", created_at=now, emailed_at__isnull=True
        ).values_list("pk", flat=True):
            enqueue("workflow.tasks.notification_email", pk)
    return created


@sweep_step("repair.refused_proofs", order=42)
@transaction.atomic
def sweep_refused_proofs(*, as_of: dt.date) -> int:
    """Retention of the proofs of refused applications: their files are deleted
    GOVCREDIT_REPAIR_REFUSED_PROOF_RETENTION_DAYS (180) days after the refusal (the decision not to
    repair, or the at-once answer "not eligible"), when it can no longer be challenged. The proof's
    row stays with its name, type, size and SHA-256, and an audit record of the application keeps
    them too; the download then answers 404. Safe to run twice."""
    days = getattr(settings, "GOVCREDIT_REPAIR_REFUSED_PROOF_RETENTION_DAYS", 180)
    cutoff = as_of - dt.timedelta(days=days)
    S = RepairApplication.Status
    proofs = list(
        RepairProof.objects.select_for_update(of=("self",))
        .select_related("application")
        .filter(
            Q(application__status=S.REJECTED, application__decided_on__lte=cutoff)
            | Q(application__status=S.INELIGIBLE, application__applied_on__lte=cutoff)
        )
        .exclude(file="")
        .order_by("pk")
    )
    for proof in proofs:
        name = proof.file.name or ""
        audit_record(
            action="repair.proof_deleted",
            obj=proof.application,
            reason=_("Retention period of a refused application's proofs ended (%(days)s days).") % {"days": days},
            changes={
                "proof": proof.pk,
                "original_name": proof.original_name,
                "content_type": proof.content_type,
                "size_bytes": proof.size_bytes,
                "sha256": proof.sha256,
                "uploaded_at": proof.uploaded_at.isoformat(),
            },
        )
        RepairProof.objects.filter(pk=proof.pk).update(file="")
        # Storage is not transactional: the file goes only once the rows say it is gone.
        transaction.on_commit(partial(proof.file.storage.delete, name))
    return len(proofs)
