"""Hostile files: an XLSX bomb is refused from the zip's directory before openpyxl reads it, with
bounded memory; proofs of a repair application are capped per file, per request (while the body
streams in) and per application, and typed by content and extension; the proofs of a refused
application are deleted at the end of their retention period, their hash kept in the audit log."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test.client import ClientHandler
from django.urls import reverse
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token

from contracts.models import ContractImport
from repair.models import DishonestyRecord, RepairApplication, RepairProof
from tests.repair.test_api import as_user, record
from workflow import spreadsheets
from workflow.models import AuditLog, User
from workflow.spreadsheets import UploadRefused, check_upload

from .bombs import shared_strings_bomb

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ROOT = Path(__file__).resolve().parents[2]
BOMB_MESSAGE = "This file expands to far more data than an import can hold"


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return shared_strings_bomb("合同", gigabytes=2)


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def no_openpyxl(monkeypatch):
    """Fail the test if openpyxl is asked to open anything."""

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl was called")

    monkeypatch.setattr(spreadsheets, "load_workbook", refuse)


# --- the XLSX bomb --------------------------------------------------------------------------------


def test_the_bomb_is_a_few_mb_that_inflate_to_2_gb(bomb):
    import io
    import zipfile

    info = zipfile.ZipFile(io.BytesIO(bomb)).getinfo("xl/sharedStrings.xml")
    assert len(bomb) < 6 * 1024 * 1024
    assert info.file_size > 2 * 1000**3


def test_a_shared_strings_bomb_is_refused_before_openpyxl_with_bounded_memory(bomb, no_openpyxl):
    upload = SimpleUploadedFile("合同.xlsx", bomb)
    tracemalloc.start()
    try:
        with pytest.raises(UploadRefused) as refused:
            check_upload(upload, max_bytes=10 * 1024 * 1024, sheet="合同")
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.code == "xlsx_bomb"
    assert peak < 1024 * 1024  # the zip's directory only: not one member is inflated


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from /proc (Linux)")
def test_refusing_the_bomb_in_a_fresh_process_stays_small(bomb, tmp_path):
    """The whole process (Python, Django, the check) peaks under 200 MB, the check adding under 10 MB,
    in under a second; openpyxl on main took 1.4 GB and 13 s on a 2.6 MB bomb."""
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb)
    script = (
        "import django, json, time\n"
        "def hwm():  # this process's peak RSS in kB; ru_maxrss would include the parent's at fork\n"
        "    with open('/proc/self/status') as fh:\n"
        "        return int(next(l for l in fh if l.startswith('VmHWM:')).split()[1])\n"
        "django.setup()\n"
        "from django.core.files import File\n"
        "from workflow import spreadsheets\n"
        "def refuse(*a, **k): raise AssertionError('openpyxl was called')\n"
        "spreadsheets.load_workbook = refuse\n"
        "before = hwm()\n"
        "start = time.monotonic()\n"
        f"with open({str(path)!r}, 'rb') as fh:\n"
        "    try:\n"
        "        spreadsheets.open_upload(File(fh, name='合同.xlsx'), max_bytes=10 * 2**20, sheet='合同')\n"
        "        code = None\n"
        "    except spreadsheets.UploadRefused as exc:\n"
        "        code = exc.code\n"
        "print(json.dumps({'code': code, 'seconds': time.monotonic() - start, 'maxrss_before_kb': before,\n"
        "    'maxrss_kb': hwm()}))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": ""}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"bomb refused: {result}")
    assert result["code"] == "xlsx_bomb"
    assert result["maxrss_kb"] < 200 * 1024
    assert result["maxrss_kb"] - result["maxrss_before_kb"] < 10 * 1024  # the check itself: under 10 MB
    assert result["seconds"] < 2


def test_the_contract_import_page_refuses_the_bomb_and_stores_nothing(client, demo, bomb, no_openpyxl):
    client.force_login(User.objects.get(username="agency_clerk"))
    response = client.post(
        reverse("contracts-import"), {"file": SimpleUploadedFile("合同.xlsx", bomb)}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"][0].startswith(BOMB_MESSAGE)
    assert ContractImport.objects.count() == 0


def test_the_record_import_page_refuses_the_bomb_and_creates_nothing(client, demo, no_openpyxl):
    client.force_login(User.objects.get(username="penalty_officer"))
    bomb = shared_strings_bomb("失信信息", gigabytes=1)
    response = client.post(
        reverse("repair-import"), {"file": SimpleUploadedFile("失信信息.xlsx", bomb)}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"][0].startswith(BOMB_MESSAGE)
    assert DishonestyRecord.objects.count() == 0


# --- proofs of a repair application -------------------------------------------------------------------


def _record(travel) -> int:
    return record(travel)  # published, decided 2025-11-30


def _apply(record_pk, proofs):
    return as_user("enterprise_user").post(
        "/api/v1/repair/applications/",
        {
            "records": str(record_pk),
            "correction": "罚款已缴清。",
            "commitment.signer_name": "张伟",
            "commitment.accepted": "true",
            "proofs": proofs,
        },
        format="multipart",
    )


def _pdf(name="凭证.pdf", size=0):
    return SimpleUploadedFile(name, PDF + b"0" * size, content_type="application/pdf")


@pytest.mark.parametrize(
    "name, content",
    [("凭证.png", PDF), ("凭证.exe", PDF), ("凭证.pdf.exe", PDF), ("凭证.pdf", PNG), ("凭证", PDF)],
)
def test_a_proof_whose_name_does_not_match_its_content_is_refused(demo, travel, name, content):
    pk = _record(travel)
    travel("2026-03-02")
    response = _apply(pk, [SimpleUploadedFile(name, content, content_type="application/pdf")])
    assert response.status_code == 400
    assert response.json()["code"] == "bad_type"
    assert list(response.json()["errors"]) == ["proofs"]
    assert (RepairApplication.objects.count(), RepairProof.objects.count()) == (0, 0)


def test_more_proofs_than_allowed_in_one_request(demo, travel, settings):
    settings.GOVCREDIT_REPAIR_PROOF_MAX_FILES = 3
    pk = _record(travel)
    travel("2026-03-02")
    response = _apply(pk, [_pdf(f"{i}.pdf") for i in range(4)])
    assert (response.status_code, response.json()["code"]) == (400, "too_many_files")
    assert response.json()["errors"]["proofs"] == ["At most 3 files."]
    assert (RepairApplication.objects.count(), RepairProof.objects.count()) == (0, 0)


def test_proofs_over_the_total_in_one_request_are_413_and_never_kept(demo, travel, settings):
    settings.GOVCREDIT_REPAIR_PROOF_MAX_TOTAL_BYTES = 200 * 1024
    pk = _record(travel)
    travel("2026-03-02")
    response = _apply(pk, [_pdf(f"{i}.pdf", 100 * 1024) for i in range(3)])
    assert response.status_code == 413
    assert response.json() == {
        "code": "too_large",
        "message": "The files together may be at most 200 KB; nothing was uploaded.",
    }
    assert (RepairApplication.objects.count(), RepairProof.objects.count()) == (0, 0)


def test_the_per_application_cap_counts_the_proofs_already_handed_in(demo, travel, settings):
    settings.GOVCREDIT_REPAIR_PROOF_MAX_FILES = 3
    pk = _record(travel)
    travel("2026-03-02")
    response = _apply(pk, [_pdf("1.pdf"), _pdf("2.pdf")])
    assert response.status_code == 201, response.json()
    app = response.json()["id"]
    travel("2026-03-04")
    officer, enterprise = as_user("penalty_officer"), as_user("enterprise_user")
    assert officer.post(f"/api/v1/repair/applications/{app}/supplement", {"items": "缴款凭证"}).status_code == 200
    url = f"/api/v1/repair/applications/{app}/supplement-received"
    refused = enterprise.post(url, {"proofs": [_pdf("3.pdf"), _pdf("4.pdf")]}, format="multipart")
    assert (refused.status_code, refused.json()["code"]) == (400, "too_many_files")
    assert refused.json()["errors"]["proofs"] == ["At most 3 files in all; 2 are already attached."]
    assert RepairApplication.objects.get(pk=app).status == "supplement"
    settings.GOVCREDIT_REPAIR_PROOF_MAX_TOTAL_BYTES = len(PDF) * 2 + 500  # the new file alone fits
    too_big = enterprise.post(url, {"proofs": [_pdf("3.pdf", 480)]}, format="multipart")
    assert (too_big.status_code, too_big.json()["code"]) == (400, "total_too_large")
    assert RepairProof.objects.filter(application_id=app).count() == 2
    accepted = enterprise.post(url, {"proofs": [_pdf("3.pdf")]}, format="multipart")
    assert accepted.status_code == 200, accepted.json()
    assert RepairProof.objects.filter(application_id=app).count() == 3


def test_the_apply_page_states_the_limits_and_refuses_a_bad_extension(client, demo, travel):
    pk = _record(travel)
    travel("2026-03-02")
    client.force_login(User.objects.get(username="enterprise_user"))
    page = client.get(reverse("repair-apply"), HTTP_ACCEPT_LANGUAGE="en")
    assert "at most 10 MB each; at most 10 files and 40 MB in all for one application." in page.content.decode()
    response = client.post(
        reverse("repair-apply"),
        {
            "records": [str(pk)],
            "correction": "罚款已缴清。",
            "signer_name": "张伟",
            "accepted": "on",
            "proofs": [SimpleUploadedFile("收据.jpg", PDF)],
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response.context["form"].errors["proofs"] == [
        "收据.jpg is not a PDF, JPG or PNG file, or its content does not match its name."
    ]
    assert RepairApplication.objects.count() == 0


class EndlessBody:
    """A request body of `length` bytes that is made up as it is read: a multipart form whose one
    file part never ends. Counts what the server read."""

    def __init__(self, boundary: str, length: int):
        self.head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="proofs"; filename="big.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
        ).encode()
        self.length = length
        self.read_bytes = 0

    def read(self, size=-1):
        if size is None or size < 0:
            size = self.length - self.read_bytes
        size = min(size, self.length - self.read_bytes)
        start = self.read_bytes
        self.read_bytes += size
        head = self.head[start : start + size]
        return head + b"0" * (size - len(head))

    def readline(self, size=-1):
        return self.read(size if size and size > 0 else 65536)


def _stream(path: str, body: EndlessBody, boundary: str, **extra):
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": body,
        "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
        "CONTENT_LENGTH": str(body.length),
        "HTTP_ACCEPT_LANGUAGE": "en",
        **extra,
    }
    return ClientHandler(enforce_csrf_checks=False)(environ)


def test_a_200_mb_proof_body_is_refused_without_being_read(demo, travel):
    travel("2026-03-02")
    token = Token.objects.get_or_create(user=User.objects.get(username="enterprise_user"))[0].key
    body = EndlessBody("BoUnDaRy", 200 * 1024 * 1024)
    response = _stream("/api/v1/repair/applications/", body, "BoUnDaRy", HTTP_AUTHORIZATION=f"Token {token}")
    print(f"200 MB API body: status {response.status_code}, bytes read {body.read_bytes}")
    assert response.status_code == 413
    assert json.loads(response.content)["code"] == "too_large"
    assert body.read_bytes < 256 * 1024
    assert (RepairApplication.objects.count(), RepairProof.objects.count()) == (0, 0)


def test_a_200_mb_proof_body_on_the_page_is_refused_without_being_read(client, demo, travel):
    travel("2026-03-02")
    client.force_login(User.objects.get(username="enterprise_user"))
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    body = EndlessBody("BoUnDaRy", 200 * 1024 * 1024)
    response = _stream(reverse("repair-apply"), body, "BoUnDaRy", HTTP_COOKIE=cookie)
    print(f"200 MB page body: status {response.status_code}, bytes read {body.read_bytes}")
    assert response.status_code == 413
    assert "at most 40 MB; nothing was uploaded." in response.content.decode()
    assert body.read_bytes < 256 * 1024
    assert RepairApplication.objects.count() == 0


# --- retention of a refused application's proofs --------------------------------------------------


def test_the_proofs_of_a_refused_application_are_deleted_after_the_retention_period(
    demo, travel, settings, django_capture_on_commit_callbacks
):
    from workflow.sweeps import sweep_run

    settings.GOVCREDIT_REPAIR_REFUSED_PROOF_RETENTION_DAYS = 180
    pk = _record(travel)
    travel("2026-03-02")
    response = _apply(pk, [_pdf("凭证.pdf"), _pdf("收据.pdf")])
    app = response.json()["id"]
    travel("2026-03-05")
    refused = as_user("penalty_officer").post(
        f"/api/v1/repair/applications/{app}/decide", {"approve": False, "reason": "罚款尚未缴纳。"}, format="json"
    )
    assert refused.status_code == 200, refused.json()
    proofs = list(RepairProof.objects.filter(application_id=app).order_by("pk"))
    names = [p.file.name for p in proofs]
    storage = proofs[0].file.storage
    assert all(storage.exists(n) for n in names)
    decided = RepairApplication.objects.get(pk=app).decided_on

    day = decided + dt.timedelta(days=179)
    travel(day.isoformat())
    with django_capture_on_commit_callbacks(execute=True):
        sweep_run(as_of=day)
    assert all(storage.exists(n) for n in names)
    enterprise_client = as_user("enterprise_user")

    day = decided + dt.timedelta(days=180)
    travel(day.isoformat())
    with django_capture_on_commit_callbacks(execute=True) as deletions:
        sweep_run(as_of=day)
        sweep_run(as_of=day)  # twice: nothing more happens
    assert len(deletions) == 1  # one callback after the commit deletes both files; the second run finds none
    assert not any(storage.exists(n) for n in names)
    kept = list(RepairProof.objects.filter(application_id=app).order_by("pk"))
    assert [(p.file.name, p.sha256, p.size_bytes) for p in kept] == [("", p.sha256, p.size_bytes) for p in proofs]
    logs = AuditLog.objects.filter(action="repair.proof_deleted").order_by("object_id", "changes__proof")
    application = RepairApplication.objects.get(pk=app)
    # The rows audit_record wrote per proof before the sweep was set-based, field by field.
    assert [(e.actor_id, e.actor_label, e.object_id, e.object_repr, e.reason, e.changes) for e in logs] == [
        (
            None,
            "system",
            str(app),
            str(application),
            gettext("Retention period of a refused application's proofs ended (%(days)s days).") % {"days": 180},
            {
                "proof": p.pk,
                "original_name": p.original_name,
                "content_type": p.content_type,
                "size_bytes": p.size_bytes,
                "sha256": p.sha256,
                "uploaded_at": p.uploaded_at.isoformat(),
            },
        )
        for p in proofs
    ]
    assert enterprise_client.get(f"/api/v1/repair/applications/{app}").status_code == 200


def test_the_proofs_of_an_accepted_application_are_kept(demo, travel):
    from workflow.sweeps import sweep_run

    pk = _record(travel)
    travel("2026-03-02")
    app = _apply(pk, [_pdf()]).json()["id"]
    day = dt.date(2027, 3, 2)
    travel(day.isoformat())
    sweep_run(as_of=day)
    proof = RepairProof.objects.get(application_id=app)
    assert proof.file.name and proof.file.storage.exists(proof.file.name)
    assert not AuditLog.objects.filter(action="repair.proof_deleted").exists()
