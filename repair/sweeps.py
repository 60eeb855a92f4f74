"""The repair part of the daily sweep: set-based SQL, safe to run twice and for a past date.

Each step is a fixed number of statements whatever the number of records (DESIGN §8): no id and no
row passes through Python except the names of the files a step deletes after commit.
"""

import datetime as dt
from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Case, CharField, DateTimeField, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Concat, JSONObject
from django.utils.translation import gettext as _

from repair.models import DishonestyRecord, RepairApplication, RepairProof
from repair.selectors import ACTIVE
from workflow import clock, jobs, roles
from workflow.deadlines import allowed_q, ended_q
from workflow.models import Notification, User
from workflow.request_context import current_request_id
from workflow.sweeps import (
    IsoDate,
    IsoDateTime,
    insert_select,
    sql_text,
    sweep_step,
    transition_where,
    update_audited,
)


@sweep_step("repair.expiry", order=40)
@transaction.atomic
def sweep_expiry(*, as_of: dt.date) -> int:
    """Publication ends by itself at the maximum period: the record leaves the public list (which also
    hides a record past its last day before the sweep runs). Two statements."""
    ended = DishonestyRecord.objects.filter(ended_q("publication_ends_on", as_of))  # "至X止": gone on X+1, not on X
    changed = transition_where(
        ended,
        field="status",
        source=DishonestyRecord.Status.PUBLISHED,
        target=DishonestyRecord.Status.EXPIRED,
        action="record.expired",
        changes={"as_of": as_of.isoformat()},
    )
    if changed:
        # The day publication ended is the period's last day, whenever the sweep noticed it.
        DishonestyRecord.objects.filter(status=DishonestyRecord.Status.EXPIRED, ended_on__isnull=True).update(
            ended_on=F("publication_ends_on")
        )
    return changed


@sweep_step("repair.reminders", order=41)
@transaction.atomic
def sweep_reminders(*, as_of: dt.date) -> int:
    """Tell the subject's users when a record reaches its earliest repair date, and again a configurable
    number of days before it — once per record and milestone, whatever the sweep's schedule.

    One INSERT … SELECT over (the records due a reminder × their enterprise's active users) that skips
    the pairs already told before building anything, so a same-day re-run writes nothing; the unique
    (recipient, dedupe key) drops what a concurrent run wrote (ON CONFLICT DO NOTHING). The new
    notifications are mailed by one task."""
    days_before = getattr(settings, "GOVCREDIT_REPAIR_REMIND_DAYS_BEFORE", 7)
    users = User.objects.filter(is_active=True, groups__name=roles.ENTERPRISE_USER)
    is_open = Q(allowed_q("earliest_repair_on", as_of))
    pairs = (
        DishonestyRecord.objects.filter(status__in=ACTIVE, enterprise__isnull=False)
        .filter(allowed_q("earliest_repair_on", as_of + dt.timedelta(days=days_before)))
        .exclude(category=DishonestyRecord.Category.MINOR, publish_minor=False)
        .filter(enterprise__users__in=users.values("pk"))
        .annotate(
            recipient_key=F("enterprise__users__id"),
            dedupe=Concat(
                Value("repair-reminder:"),
                Cast("id", output_field=CharField()),
                Case(When(is_open, then=Value(":open")), default=Value(":soon")),
                output_field=CharField(),
            ),
        )
        .filter(
            ~Exists(Notification.objects.filter(recipient_id=OuterRef("recipient_key"), dedupe_key=OuterRef("dedupe")))
        )
    )
    number = F("decision_number")
    now = clock.now()
    created = insert_select(
        Notification,
        pairs,
        {
            "recipient_id": F("recipient_key"),
            "category": "repair.reminder",
            "title": Case(
                When(is_open, then=sql_text(_("You may now apply for credit repair of %(number)s"), number=number)),
                default=sql_text(
                    _("From %(day)s you may apply for credit repair of %(number)s"),
                    day=IsoDate("earliest_repair_on"),
                    number=number,
                ),
                output_field=CharField(),
            ),
            "created_at": Value(now, output_field=DateTimeField()),
            "dedupe_key": F("dedupe"),
        },
    )
    if created:
        jobs.enqueue("workflow.tasks.notification_email_batch", "repair.reminder", now.isoformat())
    return created


@sweep_step("repair.refused_proofs", order=42)
@transaction.atomic
def sweep_refused_proofs(*, as_of: dt.date) -> int:
    """Retention of the proofs of refused applications: their files are deleted
    GOVCREDIT_REPAIR_REFUSED_PROOF_RETENTION_DAYS (180) days after the refusal (the decision not to
    repair, or the at-once answer "not eligible"), when it can no longer be challenged. The proof's
    row stays with its name, type, size and SHA-256, and an audit record of the application keeps
    them too; the download then answers 404. Safe to run twice. One statement on PostgreSQL."""
    days = getattr(settings, "GOVCREDIT_REPAIR_REFUSED_PROOF_RETENTION_DAYS", 180)
    cutoff = as_of - dt.timedelta(days=days)
    S = RepairApplication.Status
    proofs = RepairProof.objects.filter(
        Q(application__status=S.REJECTED, application__decided_on__lte=cutoff)
        | Q(application__status=S.INELIGIBLE, application__applied_on__lte=cutoff)
    ).exclude(file="")
    deleted = update_audited(
        proofs,
        values={"file": ""},
        returning=("file",),
        audit={  # what audit_record(action=..., obj=proof.application, reason=..., changes=...) writes
            "at": Value(clock.now(), output_field=DateTimeField()),
            "actor_label": "system",
            "action": "repair.proof_deleted",
            "content_type_id": ContentType.objects.get_for_model(RepairApplication).pk,
            "object_id": Cast("application_id", output_field=CharField()),
            "object_repr": Concat(  # str(application): "<enterprise> <applied_on>"
                F("application__enterprise__name"),
                Value(" "),
                IsoDate("application__applied_on"),
                output_field=CharField(),
            ),
            "reason": _("Retention period of a refused application's proofs ended (%(days)s days).") % {"days": days},
            "changes": JSONObject(
                proof=F("id"),
                original_name=F("original_name"),
                content_type=F("content_type"),
                size_bytes=F("size_bytes"),
                sha256=F("sha256"),
                uploaded_at=IsoDateTime("uploaded_at"),
            ),
            "request_id": current_request_id(),
        },
    )
    if deleted:
        # Storage is not transactional: the files go only once the rows say they are gone.
        transaction.on_commit(partial(_delete_files, [name for _pk, name in deleted]))
    return len(deleted)


def _delete_files(names: list[str]) -> None:
    storage = RepairProof._meta.get_field("file").storage
    for name in names:
        storage.delete(name)
