"""Public verification page and staff downloads. Documents are stored with stand-in PDF bytes."""

import datetime as dt
import hashlib
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from workflow import clock
from workflow.documents import document_issue, document_revoke
from workflow.models import Agency, Document, Enterprise, User

PDF_BYTES = b"%PDF-1.7\n% stand-in for a rendered notice\n%%EOF\n"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def agencies(db):
    city = Agency.objects.create(code="XJTJ", name="X市交通运输局", kind="government", doc_prefix="X交")
    station = Agency.objects.create(
        code="XJTJ-GLZ", name="X市交通运输局公路管理站", kind="institution", parent=city, doc_prefix="X交公"
    )
    other = Agency.objects.create(code="XJYJ", name="X市教育局", kind="government", doc_prefix="X教")
    return {"city": city, "station": station, "other": other}


@pytest.fixture
def case(db):
    return Enterprise.objects.create(name="X市恒信建材有限公司", uscc="91410100AY4CL12THU", size="small")


def _stored(document: Document, content: bytes = PDF_BYTES) -> Document:
    """What document_render leaves behind, without running WeasyPrint."""
    document.file.save(f"doc-{document.pk}.pdf", ContentFile(content), save=False)
    document.sha256 = hashlib.sha256(content).hexdigest()
    document.size_bytes = len(content)
    document.rendered_at = clock.now()
    document.mark_rendered()
    document.save(update_fields=["file", "sha256", "size_bytes", "rendered_at", "status"])
    return document


@pytest.fixture
def document(agencies, case):
    doc = document_issue(
        case=case,
        doc_type="repair_decision",
        title="信用修复决定书",
        template="documents/sample_notice.html",
        context={"enterprise_name": case.name, "budget": "1.00"},
        issuer=agencies["station"],
        series="信修",
    )
    return _stored(doc)


def user_at(agency=None, *, username, role=None, **kwargs) -> User:
    user = User.objects.create_user(username=username, password="x-password-123", agency=agency, **kwargs)
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


# -- verify --------------------------------------------------------------------------------


def verify_url(document) -> str:
    return reverse("document-verify", kwargs={"code": document.verification_code})


def test_verify_page_shows_hash_and_status_but_no_case_data(client, document, case):
    response = client.get(verify_url(document), **EN)
    assert response.status_code == 200
    page = response.content.decode()
    for shown in (document.sha256, document.title, document.doc_number, "X市交通运输局公路管理站", "Valid"):
        assert shown in page
    assert case.name not in page and case.uscc not in page
    assert response["X-Robots-Tag"] == "noindex"


def test_verify_page_status_words(client, document):
    document_revoke(document=document, reason="决定被撤销")
    assert "Revoked" in client.get(verify_url(document), **EN).content.decode()

    pending = document_issue(
        case=document.issuer, doc_type="x", title="待生成", template="documents/sample_notice.html", context={}
    )
    assert "Being generated" in client.get(verify_url(pending), **EN).content.decode()


def test_verify_unknown_code_is_404(client, db):
    response = client.get(reverse("document-verify", kwargs={"code": "ABCDEFGHJKLMNPQR"}), **EN)
    assert response.status_code == 404
    assert "No document has the verification code" in response.content.decode()


def test_verify_lookup_redirects_to_the_normalised_code(client, document):
    typed = " " + "-".join(document.verification_code.lower()[i : i + 4] for i in range(0, 16, 4))
    response = client.get(reverse("document-verify-lookup"), {"code": typed})
    assert response.status_code == 302 and response.url == verify_url(document)
    assert client.get(reverse("document-verify-lookup"), **EN).status_code == 200


def test_upload_of_the_issued_pdf_matches(client, document):
    upload = SimpleUploadedFile("notice.pdf", PDF_BYTES, content_type="application/pdf")
    page = client.post(verify_url(document), {"file": upload}, **EN).content.decode()
    assert "The file matches the issued document." in page


def test_upload_of_another_pdf_does_not_match(client, document):
    upload = SimpleUploadedFile("notice.pdf", PDF_BYTES + b"altered", content_type="application/pdf")
    page = client.post(verify_url(document), {"file": upload}, **EN).content.decode()
    assert "does not match" in page
    assert hashlib.sha256(PDF_BYTES + b"altered").hexdigest() in page


def test_upload_must_be_a_pdf_within_the_limit(client, document, monkeypatch):
    upload = SimpleUploadedFile("notice.pdf", b"GIF89a not a pdf", content_type="application/pdf")
    assert "Only PDF files" in client.post(verify_url(document), {"file": upload}, **EN).content.decode()

    monkeypatch.setattr("workflow.views.documents.MAX_UPLOAD_BYTES", 16)
    upload = SimpleUploadedFile("notice.pdf", PDF_BYTES, content_type="application/pdf")
    page = client.post(verify_url(document), {"file": upload}, **EN).content.decode()
    assert "larger than 20 MB" in page and "matches" not in page


@pytest.fixture
def signed_document(agencies, case, django_capture_on_commit_callbacks):
    """A document rendered and signed by the q2 task (real WeasyPrint and the issuer's demo key)."""
    with django_capture_on_commit_callbacks(execute=True):
        doc = document_issue(
            case=case,
            doc_type="signed_notice",
            title="关于做好政府合同履约信息归集工作的通知",
            template="documents/sample_notice.html",
            context={"enterprise_name": case.name, "budget": "1.00"},
            issuer=agencies["city"],
            series="信用",
        )
    doc.refresh_from_db()
    assert doc.status == Document.Status.RENDERED
    return doc


def test_verify_page_reports_the_signature_of_the_issued_pdf(client, signed_document):
    assert (signed_document.signature_method, signed_document.signed_by) == ("PAdES", "X市交通运输局")
    page = client.get(verify_url(signed_document), **EN).content.decode()
    assert 'id="document-signature" data-status="valid"' in page
    assert "Valid signature" in page and "X市交通运输局" in page
    # Signing time, shown in Asia/Shanghai.
    signed_at = signed_document.signed_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert signed_at.strftime("%Y-%m-%d %H:%M:%S") in page
    zh = client.get(verify_url(signed_document), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "签名有效" in zh and "签名者" in zh


def test_upload_of_the_signed_pdf_matches_and_its_signature_is_valid(client, signed_document):
    original = signed_document.file.read()
    upload = SimpleUploadedFile("notice.pdf", original, content_type="application/pdf")
    page = client.post(verify_url(signed_document), {"file": upload}, **EN).content.decode()
    assert "The file matches the issued document." in page
    assert 'id="upload-signature" data-status="valid"' in page


def test_upload_of_a_pdf_changed_after_signing_says_so(client, signed_document):
    changed = bytearray(signed_document.file.read())
    changed[len(changed) // 3] ^= 0x01
    upload = SimpleUploadedFile("notice.pdf", bytes(changed), content_type="application/pdf")
    page = client.post(verify_url(signed_document), {"file": upload}, **EN).content.decode()
    assert "does not match" in page
    assert 'id="upload-signature" data-status="invalid"' in page and "Invalid signature" in page


def test_upload_of_an_unsigned_pdf_says_not_signed(client, signed_document):
    import weasyprint

    unsigned = weasyprint.HTML(string="<p>关于做好政府合同履约信息归集工作的通知</p>").write_pdf()
    upload = SimpleUploadedFile("notice.pdf", unsigned, content_type="application/pdf")
    page = client.post(verify_url(signed_document), {"file": upload}, **EN).content.decode()
    assert 'id="upload-signature" data-status="unsigned"' in page and "Not signed" in page


# -- download ------------------------------------------------------------------------------


def download_url(document) -> str:
    return reverse("document-download", kwargs={"pk": document.pk})


def test_download_allowed_to_a_supervisor(client, document):
    client.force_login(user_at(None, username="sup", role="supervisor"))
    response = client.get(download_url(document))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote(document.doc_number + '.pdf')}" in disposition
    assert b"".join(response.streaming_content) == PDF_BYTES


@pytest.mark.parametrize("who", ["issuer_clerk", "parent_agency_head"])
def test_the_issuers_staff_download_only_through_the_case(client, document, agencies, who, monkeypatch):
    # Issue 12: being on the issuer's staff (or above it) no longer grants a download by itself;
    # the case's own scoping decides.
    users = {
        "issuer_clerk": lambda: user_at(agencies["station"], username="clerk", role="agency_clerk"),
        "parent_agency_head": lambda: user_at(agencies["city"], username="head", role="agency_head"),
    }
    client.force_login(users[who]())
    assert client.get(download_url(document)).status_code == 404
    monkeypatch.setattr(Enterprise, "document_visible_to", lambda self, user: user.agency_id is not None, raising=False)
    response = client.get(download_url(document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_download_hidden_from_unrelated_agency(client, document, agencies):
    client.force_login(user_at(agencies["other"], username="clerk2", role="agency_clerk"))
    assert client.get(download_url(document)).status_code == 404
    assert client.get(reverse("document-download", kwargs={"pk": 999_999})).status_code == 404


def test_download_for_users_the_case_declares(client, document, case, monkeypatch):
    owner = user_at(None, username="ent", role="enterprise_user", enterprise=case)
    client.force_login(owner)
    assert client.get(download_url(document)).status_code == 404

    monkeypatch.setattr(
        Enterprise, "document_visible_to", lambda self, user: user.enterprise_id == self.pk, raising=False
    )
    assert client.get(download_url(document)).status_code == 200


def test_download_requires_login(client, document):
    response = client.get(download_url(document))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
