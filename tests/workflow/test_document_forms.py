"""Every document type, rendered once with the context its service froze (tests/workflow/document_samples/,
captured from the services' own tests), signed with its issuer's demo key, and read back as a reader
would: the signature validates, a changed byte does not, letters look like letters (GB/T 9704-2012
信函格式) and decisions like 文件格式, and the issuer speaks of itself as it does (我委, 我局…).
How the pages break and where the closing stands: test_document_layout.py."""

import io
import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.workflow.document_cases import SAMPLES, sample_document
from workflow.documents import document_pdf_render
from workflow.models import Agency, Document
from workflow.signing import pdf_signature_check, signer_for, signing_keys

SAMPLE_TYPES = sorted(path.stem for path in SAMPLES.glob("*.json"))
LETTERS = {"supervision_letter", "complaint_feedback", "repair_acceptance", "complaint_receipt"}


@pytest.fixture(scope="module")
def rendered() -> dict[str, tuple[Document, bytes]]:
    """doc_type → (document, signed PDF), each rendered once for the whole module."""
    out = {}
    for doc_type in SAMPLE_TYPES:
        document = sample_document(json.loads((SAMPLES / f"{doc_type}.json").read_text()))
        signed = signer_for(document.issuer).sign(document_pdf_render(document=document), reason=document.title)
        out[doc_type] = (document, signed.pdf)
    return out


def _pages(pdf: bytes) -> list[str]:
    return ["".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_samples_cover_every_document_template():
    from django.conf import settings

    templates = {p.stem for p in (Path(settings.BASE_DIR) / "templates" / "documents").glob("*.html")}
    assert templates - {"base", "letter", "pending_page", "sample_notice"} <= set(SAMPLE_TYPES)


# -- signatures ----------------------------------------------------------------------------


@pytest.mark.parametrize("doc_type", SAMPLE_TYPES)
def test_each_signed_pdf_validates_with_pyhanko_against_the_demo_ca(rendered, doc_type):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    document, pdf = rendered[doc_type]
    signatures = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    assert len(signatures) == 1
    status = validate_pdf_signature(signatures[0], ValidationContext(trust_roots=signing_keys().trust_roots()))
    assert status.intact and status.valid and status.trusted and status.bottom_line
    signer = document.issuer.name if document.issuer else "govcredit"
    assert status.signing_cert.subject.native["organization_name"] == signer
    assert signatures[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES

    check = pdf_signature_check(pdf)
    assert (check.status, check.signer) == ("valid", signer)
    assert check.signed_at is not None


def test_a_byte_changed_after_signing_fails(rendered):
    _, pdf = rendered["penalty_decision"]
    # A digit of the date in the page content? The content streams are compressed: change a byte in
    # the middle of the signed revision instead, as any edit of the file would.
    tampered = bytearray(pdf)
    tampered[len(pdf) // 3] ^= 0x01
    check = pdf_signature_check(bytes(tampered))
    assert check.status == "invalid"


def test_content_appended_after_signing_is_reported(rendered):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    _, pdf = rendered["repair_decision"]
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.root["/PageMode"] = generic.NameObject("/UseOutlines")  # an innocent-looking change
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    check = pdf_signature_check(out.getvalue())
    assert check.status == "invalid" and check.detail == "modified"


def test_an_unsigned_pdf_is_reported_unsigned(rendered):
    document, _ = rendered["rectification_notice"]
    assert pdf_signature_check(document_pdf_render(document=document)).status == "unsigned"


def test_a_key_from_another_ca_is_not_trusted(rendered, tmp_path, settings):
    _, pdf = rendered["supervision_letter"]
    settings.GOVCREDIT_SIGNING_DEMO_DIR = str(tmp_path)
    signing_keys.cache_clear()
    try:
        check = pdf_signature_check(pdf)
    finally:
        signing_keys.cache_clear()
    assert (check.status, check.detail) == ("invalid", "untrusted")


# -- layout --------------------------------------------------------------------------------


@pytest.mark.parametrize("doc_type", SAMPLE_TYPES)
def test_letters_use_the_letter_form_and_others_the_document_form(rendered, doc_type):
    document, pdf = rendered[doc_type]
    first = _pages(pdf)[0]
    if document.issuer is None:
        return
    name = document.issuer.name
    if doc_type in LETTERS:
        assert first.startswith(name) and not first.startswith(f"{name}文件"), first[:40]
        # 信函格式: no page number on the first page.
        assert not re.search(r"—1—", first)
    else:
        assert first.startswith(name)
    if document.doc_number:
        assert document.doc_number in first
    assert "（电子印章）" in first or "电子印章" in "".join(_pages(pdf))


# -- the issuer's self-reference -------------------------------------------------------------


@pytest.mark.parametrize(
    ("doc_type", "phrase"),
    [
        ("complaint_receipt", "我委将于2026年9月28日前决定是否受理"),  # X市发展和改革委员会
        ("repair_acceptance", "我局将于2026年3月16日前反馈修复结果"),  # X市市场监督管理局
        ("repair_notice", "我局将在可以申请时"),
        ("complaint_feedback", "我局将提请复核"),  # X市交通运输局
    ],
)
def test_each_document_speaks_of_its_issuer_as_the_issuer(rendered, doc_type, phrase):
    _, pdf = rendered[doc_type]
    assert phrase in "".join(_pages(pdf))


@pytest.mark.parametrize(
    ("issuer", "self_reference"),
    [
        ({"code": "XFGW", "name": "X市发展和改革委员会", "doc_prefix": "X发改"}, "我委"),  # from the name
        ({"code": "XXYB", "name": "X市社会信用体系建设联席会议办公室", "doc_prefix": "X信用办"}, "我办"),
        # configured in the body's profile: wins over the name
        ({"code": "XCZJ", "name": "X市财政局", "doc_prefix": "X财", "self_reference": "本局"}, "本局"),
    ],
)
def test_the_supervision_letter_names_whoever_issues_it(issuer, self_reference):
    sample = json.loads((SAMPLES / "supervision_letter.json").read_text())
    sample["issuer"] = issuer
    text = "".join(_pages(document_pdf_render(document=sample_document(sample))))
    assert f"{self_reference}已于前期发出《政府合同履约问题整改通知书》" in text
    assert f"书面报送{self_reference}。" in text
    others = {"我委", "我办", "本局", "我局"} - {self_reference}
    assert not [word for word in others if word in text], text


# -- production keys from GOVCREDIT_SIGNING_DIR --------------------------------------------


@pytest.fixture
def key_dir(tmp_path, settings):
    """A directory laid out as production expects: one issuer as PEM files, one as PKCS#12, the roots."""
    from cryptography.hazmat.primitives.serialization import (
        BestAvailableEncryption,
        Encoding,
        NoEncryption,
        PrivateFormat,
        pkcs12,
    )

    from workflow.signing import _demo_certificate

    ca_key, ca_cert = _demo_certificate("X市电子政务CA", ca=None)
    key, cert = _demo_certificate("X市发展和改革委员会", ca=(ca_key, ca_cert))
    (tmp_path / "XFGW.key.pem").write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    (tmp_path / "XFGW.cert.pem").write_bytes(cert.public_bytes(Encoding.PEM))
    key2, cert2 = _demo_certificate("X市财政局", ca=(ca_key, ca_cert))
    (tmp_path / "XCZJ.p12").write_bytes(
        pkcs12.serialize_key_and_certificates(b"XCZJ", key2, cert2, [ca_cert], BestAvailableEncryption(b"s3cret"))
    )
    (tmp_path / "chain.pem").write_bytes(ca_cert.public_bytes(Encoding.PEM))
    (tmp_path / "trust-roots.pem").write_bytes(ca_cert.public_bytes(Encoding.PEM))
    settings.GOVCREDIT_SIGNING_DIR = str(tmp_path)
    settings.GOVCREDIT_SIGNING_PASSPHRASE = "s3cret"
    signing_keys.cache_clear()
    yield tmp_path
    signing_keys.cache_clear()


def test_production_keys_come_from_the_configured_directory(key_dir):
    import weasyprint

    from workflow.signing import SigningUnavailable

    pdf = weasyprint.HTML(string="<p>信用修复决定书</p>").write_pdf()
    for code, name in (("XFGW", "X市发展和改革委员会"), ("XCZJ", "X市财政局")):
        signed = signer_for(Agency(code=code, name=name)).sign(pdf, reason="test")
        assert signed.signer == name
        assert (pdf_signature_check(signed.pdf).status, pdf_signature_check(signed.pdf).signer) == ("valid", name)
    # No key for this issuer: signing refuses (the render is recorded as failed and retried), never a demo key.
    with pytest.raises(SigningUnavailable):
        signer_for(Agency(code="XJYJ", name="X市教育局"))
    # A PDF signed with a demo key is not trusted by production's roots.
    from django.conf import settings

    from workflow.signing import DemoKeys

    demo_signed = (
        DemoKeys(settings.GOVCREDIT_SIGNING_DEMO_DIR).signer_for("XFGW", "X市发展和改革委员会").sign(pdf, reason="t")
    )
    assert (pdf_signature_check(demo_signed.pdf).status, pdf_signature_check(demo_signed.pdf).detail) == (
        "invalid",
        "untrusted",
    )


def test_production_never_signs_with_demo_keys(settings):
    from workflow.signing import SigningUnavailable

    settings.GOVCREDIT_SIGNING_DIR = ""
    settings.GOVCREDIT_SIGNING_DEMO = False
    signing_keys.cache_clear()
    try:
        with pytest.raises(SigningUnavailable):
            signer_for(Agency(code="XFGW", name="X市发展和改革委员会"))
    finally:
        signing_keys.cache_clear()
