"""Filing a complaint in the SME complaint column: the checks (every problem at once), the rate limits,
duplicate detection, and the case with its evidence, acceptance clock, receipt PDF and audit row.

contracts.complaints.process.complaint_submit runs these and starts ComplaintFlow.
"""

import datetime as dt
import re
import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from contracts.complaints.services import complaint_office, complaint_time_limits
from contracts.models import Complaint, ComplaintEvidence, Contract
from workflow import clock, ratelimit
from workflow.audit import audit_record
from workflow.deadlines import deadline_start
from workflow.documents import document_issue
from workflow.errors import Conflict, ValidationFailed
from workflow.models import Agency, Enterprise
from workflow.models.parties import validate_uscc
from workflow.uploads import CheckedUpload, uploads_check

MOBILE = re.compile(r"^1[3-9]\d{9}$")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
OPEN_STATES = [s for s in Complaint.Status.values if s not in (Complaint.Status.CLOSED, Complaint.Status.REJECTED)]


def submitter(user):
    """The acting user of a submission: the logged-in user, or "complainant" in the audit log."""
    return user if getattr(user, "is_authenticated", False) else "complainant"


def _new_code(today: dt.date) -> str:
    while True:
        code = f"TS{today:%Y%m%d}{''.join(secrets.choice(CODE_ALPHABET) for _ in range(6))}"
        if not Complaint.objects.filter(code=code).exists():
            return code


def complaint_validate(data: dict) -> dict:
    """Check a submission; every problem is reported at once as {field: [messages]}."""
    errors: dict[str, list[str]] = {}

    def err(field, message):
        errors.setdefault(field, []).append(str(message))

    def text(value) -> str:
        return value.strip() if isinstance(value, str) else ""

    def section(name: str) -> dict:
        value = data.get(name)
        return value if isinstance(value, dict) else {}

    cp = section("complainant")
    contact = section("contact")
    respondent = section("respondent")
    contract = section("contract")
    out: dict = {}
    out["name"] = text(cp.get("name"))
    if not out["name"]:
        err("complainant.name", _("Enter the enterprise's name."))
    out["uscc"] = text(cp.get("uscc")).upper()
    try:
        validate_uscc(out["uscc"])
    except Exception:  # noqa: BLE001 - reported as a field error
        err("complainant.uscc", _("Enter a valid unified social credit code (18 characters)."))
    out["size"] = text(cp.get("size"))
    if out["size"] not in Enterprise.Size.values:
        err("complainant.size", _("Choose micro, small or medium."))
    elif out["size"] == Enterprise.Size.LARGE:
        err("complainant.size", _("The column takes complaints from small and medium-sized enterprises."))
    out["contact_name"] = text(contact.get("name"))
    if not out["contact_name"]:
        err("contact.name", _("Enter the contact person."))
    out["mobile"] = text(contact.get("mobile"))
    if not MOBILE.match(out["mobile"]):
        err("contact.mobile", _("Enter an 11-digit mainland mobile number."))
    out["respondent"] = None
    out["respondent_name"] = ""
    if respondent.get("agency"):
        out["respondent"] = Agency.objects.filter(code=str(respondent["agency"])).first()
        if out["respondent"] is None:
            err("respondent.agency", _("Unknown agency."))
    elif text(respondent.get("name")):
        out["respondent_name"] = text(respondent.get("name"))
        if len(out["respondent_name"]) > 200:  # refused, never cut
            err("respondent.name", _("At most %(limit)s characters.") % {"limit": 200})
    else:
        err("respondent", _("Choose the agency, or name the body if it is not in the list."))
    out["contract_id"] = contract.get("id")
    out["contract_number"] = text(contract.get("number"))
    if len(out["contract_number"]) > 64:  # refused, never cut
        err("contract.number", _("At most %(limit)s characters.") % {"limit": 64})
    out["contract_signed_on"] = None
    if contract.get("signed_on"):
        try:
            out["contract_signed_on"] = dt.date.fromisoformat(str(contract["signed_on"]))
        except ValueError:
            err("contract.signed_on", _("Enter a date as YYYY-MM-DD."))
    if not (out["contract_id"] or out["contract_number"]):
        err("contract", _("Choose the registered contract, or give its number and date."))
    try:
        amount = Decimal(str(data.get("amount_claimed", "")).replace(",", ""))
        exponent = amount.as_tuple().exponent  # "n", "N" or "F" for NaN and Infinity
        if not isinstance(exponent, int) or amount <= 0 or exponent < -2 or amount >= Decimal("1e14"):
            raise InvalidOperation
        out["amount_claimed"] = amount
    except (InvalidOperation, ValueError):
        err("amount_claimed", _("Enter the amount in yuan, with at most two decimals."))
    out["facts"] = text(data.get("facts"))
    if len(out["facts"]) < 10:
        err("facts", _("Describe what happened (at least 10 characters)."))
    if data.get("declaration") is not True:
        err("declaration", _("Confirm the declaration."))
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), "invalid", errors=errors)
    return out


def complaint_evidence_check(files) -> list[CheckedUpload]:
    return uploads_check(
        files,
        field="evidence",
        max_bytes=settings.GOVCREDIT_COMPLAINT_EVIDENCE_MAX_BYTES,
        max_files=settings.GOVCREDIT_COMPLAINT_EVIDENCE_MAX_FILES,
    )


def complaint_throttle(*, ip: str | None, mobile: str) -> None:
    """Count this submission against the per-mobile and per-address limits (workflow.ratelimit);
    RateLimited when either is exceeded. Counted before the checks that follow, so refused duplicates
    count too and concurrent submissions cannot all pass."""
    checks = [(f"complaint-mobile:{mobile}", dt.timedelta(days=1), settings.GOVCREDIT_COMPLAINT_LIMIT_PER_MOBILE_DAY)]
    if ip:
        checks.append((f"complaint-ip:{ip}", dt.timedelta(hours=1), settings.GOVCREDIT_COMPLAINT_LIMIT_PER_IP_HOUR))
    message = _("Too many complaints submitted from here recently; please try again later.")
    for key, window, limit in checks:
        ratelimit.limit(key, limit=limit, window=window, message=message)


def _match_contract(cleaned, enterprise) -> Contract | None:
    respondent = cleaned["respondent"]
    if cleaned["contract_id"]:
        contract = Contract.objects.filter(pk=cleaned["contract_id"], counterparty=enterprise).first()
        if contract is None or (respondent and contract.agency_id != respondent.pk):
            raise ValidationFailed(
                _("No registered contract of yours with this body has that id."), "invalid", field="contract"
            )
        return contract
    if respondent and cleaned["contract_number"]:
        return Contract.objects.filter(
            agency=respondent, number=cleaned["contract_number"], counterparty=enterprise
        ).first()
    return None


@transaction.atomic
def complaint_file(*, cleaned: dict, files: list[CheckedUpload], source: str, ip: str | None, acting_user) -> Complaint:
    """The complaint from checked data (complaint_validate) and checked evidence; Conflict when the same
    complaint is open already."""
    today = clock.today()
    enterprise, _created = Enterprise.objects.get_or_create(
        uscc=cleaned["uscc"], defaults={"name": cleaned["name"], "size": cleaned["size"]}
    )
    # One filing per complainant at a time: the duplicate check below then sees every complaint committed
    # before it (a concurrent identical submission waits here and is refused as a duplicate).
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    contract = _match_contract(cleaned, enterprise)
    same = Complaint.objects.filter(complainant=enterprise, status__in=OPEN_STATES)
    same = (
        same.filter(respondent=cleaned["respondent"])
        if cleaned["respondent"]
        else same.filter(respondent_name=cleaned["respondent_name"])
    )
    same = same.filter(contract=contract) if contract else same.filter(contract_number=cleaned["contract_number"])
    if same.exists():
        raise Conflict(
            _("The same complaint (same enterprise, body and contract) is already being handled."),
            "duplicate_complaint",
        )
    complaint = Complaint.objects.create(
        code=_new_code(today),
        source=source,
        complainant=enterprise,
        complainant_size=cleaned["size"],
        contact_name=cleaned["contact_name"],
        contact_mobile=cleaned["mobile"],
        respondent=cleaned["respondent"],
        respondent_name=cleaned["respondent_name"] or (cleaned["respondent"].name if cleaned["respondent"] else ""),
        contract=contract,
        contract_number=cleaned["contract_number"] or (contract.number if contract else ""),
        contract_signed_on=cleaned["contract_signed_on"] or (contract.signed_on if contract else None),
        amount_claimed=cleaned["amount_claimed"],
        facts=cleaned["facts"],
        declaration=True,
        submitted_at=clock.now(),
        received_on=today,
        submitter_ip=ip,
        submitted_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    for checked in files:
        ComplaintEvidence.store(checked, complaint=complaint)
    accept = deadline_start(case=complaint, purpose="accept", rule_code="complaint.accept", start_on=today)
    office = complaint_office()
    document_issue(
        case=complaint,
        doc_type="complaint_receipt",
        title="投诉登记回执",
        template="documents/complaint_receipt.html",
        issuer=office,
        acting_user=acting_user,
        context={
            "code": complaint.code,
            "received_on": today.isoformat(),
            "complainant": enterprise.name,
            "respondent": complaint.respondent_name,
            "contract_number": complaint.contract_number,
            "amount_claimed": f"{complaint.amount_claimed:.2f}",
            "accept_due": accept.due_on.isoformat(),
            "evidence_count": len(files),
            **complaint_time_limits(on=today),
        },
    )
    audit_record(
        action="complaint.submit",
        obj=complaint,
        actor=acting_user,
        to_state=complaint.status,
        changes={"source": source, "accept_due": accept.due_on.isoformat()},
    )
    return complaint
