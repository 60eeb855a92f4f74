"""What the credit repair API answers: a record, an application, an objection and a public record, built by
hand from the models (the staff's view unmasked where the role allows, the public's masked)."""

from __future__ import annotations

from repair.models import DishonestyRecord, Objection, PenaltyDecisionFile, RepairApplication
from repair.selectors import documents_of, is_supervisor, is_unit_officer, record_delivery
from workflow.api.documents import document_api_url
from workflow.deadlines import deadlines_for
from workflow.masking import mask_id_number, mask_name
from workflow.models import Document


def document_payload(request, d: Document) -> dict:
    return {
        "id": d.pk,
        "type": d.doc_type,
        "title": d.title,
        "doc_number": d.doc_number,
        "issued_on": d.issued_on,
        "status": d.status,
        # No link until the worker has rendered the PDF (the answer never renders one).
        "url": document_api_url(d.pk, request) if d.status == Document.Status.RENDERED else None,
        "sha256": d.sha256 or None,
    }


def _money(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def _decision_file(record: DishonestyRecord) -> dict | None:
    """The unit's own decision PDF, when attached: its name and SHA-256 (downloaded on the record page)."""
    stored = PenaltyDecisionFile.objects.filter(record=record).first()
    if stored is None:
        return None
    return {"name": stored.original_name, "sha256": stored.sha256, "size_bytes": stored.size_bytes}


def record_payload(request, record: DishonestyRecord) -> dict:
    user = request.user
    if record.enterprise is not None:
        subject = {"uscc": record.enterprise.uscc, "name": record.enterprise.name}
    else:
        full = is_supervisor(user) or is_unit_officer(user, record.deciding_unit)
        subject = {
            "person_name": record.person_name,
            "id_number": record.person_id_number if full else mask_id_number(record.person_id_number),
        }
    delivery = record_delivery(record)
    return {
        "id": record.pk,
        "status": record.status,
        "subject": subject,
        "type": record.type,
        "category": record.category,
        "publish": record.publish_minor,
        "decision_number": record.decision_number,
        "decided_on": record.decided_on,
        "deciding_unit": {"code": record.deciding_unit.code, "name": record.deciding_unit.name},
        "decision_source": record.decision_source,
        "decision_file": _decision_file(record),
        "facts": record.facts,
        "basis": record.basis,
        "obligations": [
            {
                "kind": ob.kind,
                "amount": _money(ob.amount),
                "due_on": ob.due_on,
                "fulfilled_on": ob.fulfilled_on,
                "confirmed_by_unit": ob.confirmed_by_unit,
            }
            for ob in record.obligations.all()
        ],
        "earliest_repair_on": record.earliest_repair_on,
        "publication_ends_on": record.publication_ends_on,
        "penalty_types": record.penalty_types,
        "domain": record.domain,
        "periods_basis": record.periods_basis,
        "published_at": record.published_at,
        "ended_on": record.ended_on,
        "under_objection": record.under_objection,
        "service": None
        if delivery is None
        else {
            "method": delivery.method,
            "delivered_on": delivery.delivered_on,
            "recipient": delivery.recipient,
            "receipt": delivery.receipt,
        },
        "documents": [document_payload(request, d) for d in documents_of(record)],
    }


def _due(clocks: dict, purpose: str):
    d = clocks.get(purpose)
    return d.due_on if d is not None else None


def application_payload(request, application: RepairApplication) -> dict:
    a = application
    clocks = {d.purpose: d for d in deadlines_for(a).select_related("rule")}
    return {
        "id": a.pk,
        "status": a.status,
        "eligible": a.eligible,
        "reasons": a.reasons,
        "earliest_date": a.earliest_date,
        "deadlines": {"accept": _due(clocks, "accept"), "feedback": _due(clocks, "feedback")},
        "channel": a.channel,
        "enterprise": {"uscc": a.enterprise.uscc, "name": a.enterprise.name},
        "deciding_unit": {"code": a.deciding_unit.code, "name": a.deciding_unit.name},
        "records": [
            {"id": r.pk, "decision_number": r.decision_number, "category": r.category, "status": r.status}
            for r in a.records.order_by("pk")
        ],
        "correction": a.correction,
        "proof_held_by_unit": a.proof_held_by_unit,
        "proofs": [
            {"id": p.pk, "name": p.original_name, "content_type": p.content_type, "size_bytes": p.size_bytes}
            for p in a.proofs.order_by("pk")
        ],
        "commitment": {"signer_name": a.commitment_signer, "signed_at": a.commitment_signed_at},
        "applied_on": a.applied_on,
        "accepted_on": a.accepted_on,
        "supplement_items": a.supplement_items or None,
        "extension_reason": a.extension_reason or None,
        "clocks": [
            {
                "purpose": d.purpose,
                "rule": d.rule.code,
                "start_on": d.start_on,
                "due_on": d.due_on,
                "original_due_on": d.original_due_on,
                "status": d.status,
                "paused_on": d.paused_on,
                "extended_by": d.extended_amount,
                "completed_on": d.completed_on,
            }
            for d in sorted(clocks.values(), key=lambda d: (d.start_on, d.pk))
        ],
        "decided_on": a.decided_on,
        "approved": a.approved,
        "decision_reason": a.decision_reason or None,
        "review_opinion": a.review_opinion or None,
        "documents": [document_payload(request, d) for d in documents_of(a)],
    }


def objection_payload(objection: Objection) -> dict:
    o = objection
    answer = deadlines_for(o).filter(purpose="answer").first()
    return {
        "id": o.pk,
        "record": o.record_id,
        "application": o.application_id,
        "target": o.target,
        "text": o.text,
        "status": o.status,
        "filed_on": o.filed_on,
        "answer_due": answer.due_on if answer else None,
        "answer": o.answer or None,
        "answered_on": o.answered_on,
        "changes": o.changes,
    }


def public_record_payload(record: DishonestyRecord) -> dict:
    """No personal data of a natural person beyond the masked name; the facts of a person's case are not
    shown (they may name the person)."""
    enterprise = record.enterprise
    person = enterprise is None
    return {
        "id": record.pk,
        "subject": {"name": mask_name(record.person_name), "natural_person": True}
        if enterprise is None
        else {"name": enterprise.name, "uscc": enterprise.uscc, "natural_person": False},
        "type": record.type,
        "category": record.category,
        "decision_number": record.decision_number,
        "decided_on": record.decided_on,
        "deciding_unit": record.deciding_unit.name,
        "facts": None if person else record.facts,
        "basis": record.basis,
        "publication_ends_on": record.publication_ends_on,
    }


def record_row_payload(record: DishonestyRecord) -> dict:
    """A record in a list: what tells it apart; `record_payload` gives the whole record."""
    r = record
    return {
        "id": r.pk,
        "status": r.status,
        "subject": r.subject_name,
        "uscc": r.enterprise.uscc if r.enterprise is not None else None,
        "category": r.category,
        "decision_number": r.decision_number,
        "decided_on": r.decided_on,
        "deciding_unit": r.deciding_unit.code,
        "earliest_repair_on": r.earliest_repair_on,
        "publication_ends_on": r.publication_ends_on,
    }


def application_row_payload(application: RepairApplication) -> dict:
    """An application in a list; `application_payload` gives the whole application."""
    a = application
    return {
        "id": a.pk,
        "status": a.status,
        "enterprise": {"uscc": a.enterprise.uscc, "name": a.enterprise.name},
        "deciding_unit": a.deciding_unit.code,
        "channel": a.channel,
        "applied_on": a.applied_on,
        "decided_on": a.decided_on,
    }
