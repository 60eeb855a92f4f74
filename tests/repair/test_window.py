"""The service window: the agent (代理人) and the power of attorney, the commitment signed at the
window by the agent, the printable acceptance receipt (受理回执); bad input writes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from repair.models import RepairApplication, RepairPowerOfAttorney
from tests.repair.test_pages import PDF, login, published, text
from tests.repair.test_pages import web as web  # noqa: PLC0414 - the fixture, re-exported for these tests
from workflow.models import Document

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"  # a valid resident ID number (GB 11643 check digit X)


def pdf_of(doc) -> str:
    from workflow.documents import document_render

    document_render(doc.pk)
    doc.refresh_from_db()
    with doc.file.open("rb") as fh:
        return "".join(p.extract_text() for p in PdfReader(fh).pages).replace("\n", "")


def window_form(record, **over):
    data = {
        "subject_uscc": "91410100AY4CL12THU",
        "records": [str(record.pk)],
        "correction": "罚款已缴清。",
        "proof_held_by_unit": "on",
        "signer_name": "张伟",
        "accepted": "on",
        "agent_name": "张伟",
        "agent_id_number": ID_NUMBER,
        "agent_relationship": "公司员工",
        "power_of_attorney": SimpleUploadedFile("授权委托书.pdf", PDF, content_type="application/pdf"),
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def test_the_window_records_the_agent_and_the_power_of_attorney(web, travel):
    record = published(travel)
    travel("2026-03-02")
    login(web, "window_clerk")
    form = web.get(f"/staff/repair/apply/?uscc={record.enterprise.uscc}")
    assert 'name="agent_id_number"' in form.content.decode() and 'name="power_of_attorney"' in form.content.decode()
    done = web.post("/staff/repair/apply/", window_form(record))
    assert done.status_code == 302
    application = RepairApplication.objects.get()
    assert (application.agent_name, application.agent_id_number, application.agent_relationship) == (
        "张伟",
        ID_NUMBER,
        "公司员工",
    )
    attorney = RepairPowerOfAttorney.objects.get(application=application)
    assert (attorney.original_name, attorney.content_type) == ("授权委托书.pdf", "application/pdf")

    # Pages show the ID number masked, never in full.
    detail = web.get(f"/staff/repair/applications/{application.pk}/")
    assert "110105********002X" in text(detail) and ID_NUMBER not in detail.content.decode()
    assert web.get(f"/staff/repair/applications/{application.pk}/power-of-attorney").status_code == 200
    login(web, "enterprise_user2")  # another enterprise
    assert web.get(f"/staff/repair/applications/{application.pk}/power-of-attorney").status_code == 404
    assert web.get(f"/staff/repair/applications/{application.pk}/receipt/").status_code == 404


def test_the_commitment_says_it_was_signed_at_the_window_by_the_agent(web, travel):
    record = published(travel)
    travel("2026-03-02")
    login(web, "window_clerk")
    web.post("/staff/repair/apply/", window_form(record))
    commitment = Document.objects.get(doc_type="credit_commitment")
    assert commitment.context["channel"] == "window" and commitment.context["agent"] == "张伟"
    body = pdf_of(commitment)
    assert "于服务窗口现场签署" in body and "代理人张伟" in body
    assert "在线签署" not in body


def test_the_receipt_prints_what_was_received(web, travel):
    record = published(travel)
    travel("2026-03-02")
    login(web, "window_clerk")
    answer = web.get(web.post("/staff/repair/apply/", window_form(record))["Location"])
    application = RepairApplication.objects.get()
    receipt_url = f"/staff/repair/applications/{application.pk}/receipt/"
    assert receipt_url in answer.content.decode()  # the answer page offers it
    receipt = web.get(receipt_url)
    assert receipt.status_code == 200
    body = text(receipt)
    assert "Credit repair application: acceptance receipt" in body
    assert f"Application No. {application.pk}" in body
    assert "X市恒信建材有限公司" in body and "X市监罚〔2025〕118号" in body
    assert "张伟 · 110105********002X · 公司员工" in body and ID_NUMBER not in body
    assert "Power of attorney: 授权委托书.pdf" in body
    assert "Accepted · 2026-03-02" in body and "The result is due by 2026-03-16." in body
    assert "Received by 刘敏" in body
    assert "@media print" in receipt.content.decode()


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"agent_id_number": "110105194912310021"}, "agent_id_number", "not a valid 18-character resident ID"),
        ({"agent_id_number": "12345"}, "agent_id_number", "not a valid 18-character resident ID"),
        ({"agent_name": ""}, "agent_name", "This field is required."),
        ({"agent_relationship": ""}, "agent_relationship", "This field is required."),
        ({"power_of_attorney": None}, "power_of_attorney", "Attach the power of attorney"),
        (
            {"power_of_attorney": SimpleUploadedFile("委托书.pdf", b"just text", content_type="application/pdf")},
            "power_of_attorney",
            "Only PDF, JPG or PNG files are accepted",
        ),
    ],
)
def test_bad_agent_input_is_refused_and_nothing_is_written(web, travel, over, field, message):
    record = published(travel)
    travel("2026-03-02")
    login(web, "window_clerk")
    response = web.post("/staff/repair/apply/", window_form(record, **over))
    assert response.status_code == 200
    errors = " ".join(str(e) for e in response.context["form"].errors.get(field, []))
    assert message in errors
    assert not RepairApplication.objects.exists() and not RepairPowerOfAttorney.objects.exists()
    assert not Document.objects.filter(doc_type="credit_commitment").exists()
