"""Reads of credit repair, scoped to the user: who sees which records, applications and objections (one
meaning per name, shared by the pages and the API), the role predicates, a case's documents and the flow
step a decision runs. No writes here."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext as _

from repair.models import DishonestyRecord, Objection, RepairApplication, RepairProcess
from workflow import clock, roles
from workflow.deadlines import lasting_q
from workflow.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from workflow.flows import process_of
from workflow.models import Delivery, Document, Enterprise
from workflow.scoping import agencies_for_user, agency_filter

ACTIVE = (DishonestyRecord.Status.RECORDED, DishonestyRecord.Status.PUBLISHED)
OPEN_APPLICATION = (
    RepairApplication.Status.ACCEPTED,
    RepairApplication.Status.SUPPLEMENT,
    RepairApplication.Status.AWAITING_APPROVAL,
)


# --- roles --------------------------------------------------------------------------------------------------------


def is_supervisor(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or roles.has_role(user, roles.SUPERVISOR)
    )


def is_officer(user) -> bool:
    """A penalty officer of some agency."""
    return roles.has_role(user, roles.PENALTY_OFFICER) and user.agency_id is not None


def is_unit_officer(user, unit) -> bool:
    """A penalty officer of the deciding unit `unit` (or of an agency above it)."""
    if not roles.has_role(user, roles.PENALTY_OFFICER) or user.agency_id is None or unit is None:
        return False
    return unit.pk == user.agency_id or bool(user.agency.path and unit.path.startswith(user.agency.path))


def is_enterprise_user(user) -> bool:
    return user.enterprise_id is not None and roles.has_role(user, roles.ENTERPRISE_USER)


def is_window_clerk(user) -> bool:
    return roles.has_role(user, roles.WINDOW_CLERK)


def is_applicant(user, application) -> bool:
    """The enterprise's own users, or the window clerk who filed for it."""
    return (user.enterprise_id is not None and user.enterprise_id == application.enterprise_id) or (
        application.filed_by_id == user.pk
    )


# --- records ------------------------------------------------------------------------------------------------------


def records_visible_to(user):
    """Supervisors see every record; an agency's penalty officers those its units decided; an enterprise
    its own. The record's documents follow the same rule."""
    qs = DishonestyRecord.objects.select_related("enterprise", "deciding_unit")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if is_supervisor(user):
        return qs
    if user.enterprise_id:
        return qs.filter(enterprise_id=user.enterprise_id)
    if is_officer(user):
        return qs.filter(agency_filter(user, "deciding_unit"))
    return qs.none()


def record_get_for_user(*, user, pk) -> DishonestyRecord:
    record = records_visible_to(user).filter(pk=pk).first()
    if record is None:
        raise NotFound(_("No such record."), "not_found")
    return record


def record_delivery(record) -> Delivery | None:
    """The one delivery record that served the penalty decision and the repair notice together, if any."""
    docs = documents_of(record).filter(doc_type__in=["penalty_decision", "repair_notice"])
    return Delivery.objects.filter(documents__in=docs).distinct().order_by("pk").first()


def public_records(q: str = ""):
    """What is published now: published and within its publication period (the sweep ends the period at
    the maximum; a record past it never shows, even before the sweep has run)."""
    today = clock.today()
    qs = (
        DishonestyRecord.objects.filter(status=DishonestyRecord.Status.PUBLISHED)
        .filter(lasting_q("publication_ends_on", today))  # "至X止": still shown on X
        .select_related("enterprise", "deciding_unit")
        .order_by("-decided_on", "-id")
    )
    q = (q or "").strip()
    if q:
        # Enterprises by name or USCC, any record by its decision number; a natural person is not found by name.
        qs = qs.filter(
            Q(enterprise__name__icontains=q) | Q(enterprise__uscc__iexact=q.upper()) | Q(decision_number__iexact=q)
        )
    return qs


# --- applications -------------------------------------------------------------------------------------------------


def applications_visible_to(user):
    """Supervisors see every application; an enterprise its own; an agency's penalty officers those of its
    units (and the units below); a window clerk only what they filed at the window. The application's
    documents follow the same rule."""
    if not getattr(user, "is_authenticated", False):
        return RepairApplication.objects.none()
    if user.is_superuser or roles.has_role(user, roles.SUPERVISOR):
        qs = RepairApplication.objects.all()
    elif user.enterprise_id:
        qs = RepairApplication.objects.filter(enterprise_id=user.enterprise_id)
    elif is_officer(user):
        qs = RepairApplication.objects.filter(deciding_unit__in=agencies_for_user(user))
    else:
        qs = RepairApplication.objects.none()
    if roles.has_role(user, roles.WINDOW_CLERK):
        qs = qs | RepairApplication.objects.filter(filed_by=user)
    return qs.select_related("enterprise", "deciding_unit").distinct()


def application_get_for_user(*, user, pk) -> RepairApplication:
    application = applications_visible_to(user).filter(pk=pk).first()
    if application is None:
        raise NotFound(_("No such application."), "not_found")
    return application


def enterprise_for_window(*, user, uscc: str) -> Enterprise:
    """A window clerk files for an enterprise by its USCC."""
    if not roles.has_role(user, roles.WINDOW_CLERK):
        raise PermissionDenied(_("Only a window clerk files for an enterprise."), "forbidden")
    enterprise = Enterprise.objects.filter(uscc=(uscc or "").strip().upper()).first()
    if enterprise is None:
        raise ValidationFailed(_("No enterprise with this USCC has records."), "invalid", field="subject_uscc")
    return enterprise


def applicant_enterprise(user, subject_uscc: str = ""):
    """(enterprise, channel) for a submission: the user's own enterprise online, or the one a window clerk
    names by USCC."""
    if roles.has_role(user, roles.ENTERPRISE_USER) and user.enterprise_id:
        if subject_uscc and subject_uscc.strip().upper() != user.enterprise.uscc:
            raise PermissionDenied(_("You may apply only for your own enterprise."), "forbidden")
        return user.enterprise, RepairApplication.Channel.ONLINE
    if roles.has_role(user, roles.WINDOW_CLERK):
        if not subject_uscc.strip():
            raise ValidationFailed(
                _("Give the unified social credit code of the enterprise applying."), "required", field="subject_uscc"
            )
        return enterprise_for_window(user=user, uscc=subject_uscc), RepairApplication.Channel.WINDOW
    raise PermissionDenied(_("Enterprises apply online; a service window clerk applies for them."), "forbidden")


def application_process(application: RepairApplication) -> RepairProcess:
    return process_of(application, RepairProcess)


def application_decision_step(*, application: RepairApplication, user) -> str:
    """The flow step `user`'s decision runs now: "approve" (a supervisor, when the application awaits
    approval) or "review" (a penalty officer of the deciding unit); refused otherwise."""
    awaiting = application.status == RepairApplication.Status.AWAITING_APPROVAL
    if awaiting and is_supervisor(user):
        step = "approve"
    elif is_unit_officer(user, application.deciding_unit):
        step = "review"
    elif is_supervisor(user):
        raise Conflict(_("The deciding unit reviews the application first."), "application_state")
    else:
        raise PermissionDenied(_("The deciding unit and the supervisors decide on applications."), "forbidden")
    expected = RepairApplication.Status.AWAITING_APPROVAL if step == "approve" else RepairApplication.Status.ACCEPTED
    if application.status != expected:
        raise Conflict(
            _("The application is %(status)s; that is not possible now.")
            % {"status": application.get_status_display()},
            "application_state",
        )
    return step


# --- objections and documents -------------------------------------------------------------------------------------


def objections_visible_to(user):
    """The objections to the records `user` may see."""
    qs = Objection.objects.select_related("record", "record__enterprise", "record__deciding_unit", "application")
    return qs.filter(record__in=records_visible_to(user).values("pk"))


def documents_of(case):
    """The documents issued on `case` (a record or an application), oldest first."""
    return Document.objects.filter(
        content_type=ContentType.objects.get_for_model(case), object_id=str(case.pk)
    ).order_by("created_at", "id")
