"""Pages of the complaint column: the public form with its challenge, the done page and the receipt,
tracking by code and digits (no personal data), the evaluation; the staff list, case page, extension,
evidence and documents; the supervisor's dashboard with the supervision notice and the measures."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from contracts.complaints.challenge import challenge_new
from contracts.complaints.process import complaint_submit, complaint_task
from contracts.complaints.supervision import supervision_notice_issue
from contracts.models import Complaint, ComplaintEvidence, ComplaintProcess, ComplaintSupervisionNotice
from workflow.documents import documents_render_pending
from workflow.errors import Conflict, PermissionDenied
from workflow.models import Agency, AuditLog, Document, Notification, User

D = dt.date
pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
BODY = {
    "complainant": {"name": "X市恒信建材有限公司", "uscc": "91410100AY4CL12THU", "size": "small"},
    "contact": {"name": "张伟", "mobile": "13812345678"},
    "respondent": {"agency": "XJTJ"},
    "contract": {"number": "JT-2025-031", "signed_on": "2025-06-10"},
    "amount_claimed": "180000.00",
    "facts": "2025年9月交付的养护材料经验收合格，货款18万元至今未付，多次催要无果。",
    "declaration": True,
}
FORM = {
    "complainant_name": "X市恒信建材有限公司",
    "complainant_uscc": "91410100AY4CL12THU",
    "complainant_size": "small",
    "contact_name": "张伟",
    "contact_mobile": "13812345678",
    "respondent_agency": "XJTJ",
    "contract_number": "JT-2025-031",
    "contract_signed_on": "2025-06-10",
    "amount_claimed": "180000.00",
    "facts": BODY["facts"],
    "declaration": "on",
}


def u(name):
    return User.objects.get(username=name)


def text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def pdf_text(response) -> str:
    import io

    data = b"".join(response.streaming_content)
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).replace("\n", "")


@pytest.fixture
def web(client, demo):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.defaults["REMOTE_ADDR"] = "198.51.100.20"
    return client


def login(client, username):
    client.force_login(u(username))
    return client


def solved(response) -> dict:
    """The challenge of the page, answered as a person would (reading the question)."""
    a, b = map(int, re.search(r"(\d+) \+ (\d+) = \?", response.content.decode()).groups())
    token = re.search(r'name="challenge_token" value="([^"]+)"', response.content.decode())[1]
    return {"challenge_token": token, "challenge_answer": str(a + b)}


def post_form(web, data, files=None):
    page = web.get("/complaints/new/")
    return web.post("/complaints/new/", {**data, **solved(page), **(files or {})})


def errors(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def filed(travel, day="2026-09-14", **over):
    travel(day)
    return complaint_submit(data={**BODY, **over}, ip="203.0.113.9")


# --- the public form ------------------------------------------------------------------------------------------


def test_the_form_asks_a_question_and_prefills_nothing_for_the_public(web, travel):
    travel("2026-09-14")
    page = web.get("/complaints/new/")
    assert page.status_code == 200
    assert re.search(r"\d \+ \d = \?", text(page))
    assert page.context["form"]["complainant_name"].value() in (None, "")
    assert "contract_id" not in page.context["form"].fields
    body = text(page)
    assert "within 10 working days" in body and "at most 90 days in all" in body  # from the rules in force


def test_an_enterprise_user_finds_the_form_filled_in(web, travel, make_contract):
    contract = make_contract(number="JT-2026-088")
    login(web, "enterprise_user")
    page = web.get("/complaints/new/")
    form = page.context["form"]
    assert (
        form["complainant_name"].value(),
        form["complainant_uscc"].value(),
        form["complainant_size"].value(),
        form["contact_name"].value(),
    ) == ("X市恒信建材有限公司", "91410100AY4CL12THU", "small", "张伟")
    assert (str(contract.pk), "JT-2026-088 道路养护服务采购 (X市交通运输局)") in form.fields["contract_id"].choices
    # Choosing the registered contract links it and names the respondent.
    data = {**FORM, "respondent_agency": "", "contract_number": "", "contract_id": str(contract.pk)}
    response = web.post("/complaints/new/", {**data, **solved(page)})
    assert response.status_code == 302, response.context["form"].errors
    complaint = Complaint.objects.get()
    assert (complaint.contract, complaint.respondent.code, complaint.submitted_by) == (
        contract,
        "XJTJ",
        u("enterprise_user"),
    )


def test_filing_through_the_form_gives_the_code_and_the_receipt(web, travel):
    travel("2026-09-14")
    response = post_form(
        web, FORM, {"evidence": [SimpleUploadedFile("验收单.pdf", PDF), SimpleUploadedFile("发票.pdf", PDF)]}
    )
    assert response.status_code == 302 and response["Location"] == "/complaints/new/done/"
    complaint = Complaint.objects.get()
    assert (complaint.source, complaint.submitter_ip, complaint.evidence.count()) == ("web", "198.51.100.20", 2)
    assert AuditLog.objects.get(action="complaint.submit").actor_label == "complainant"
    done = web.get("/complaints/new/done/")
    body = text(done)
    assert complaint.code in body
    assert "that is by 2026-09-28" in body
    receipt_url = f"/complaints/track/{complaint.code}/receipt?mobile_last4=5678"
    assert receipt_url in done.content.decode()
    waiting = web.get(receipt_url)  # the q2 worker has not rendered it yet: a page that reloads itself
    assert (waiting.status_code, waiting["Retry-After"]) == (202, "3")
    assert 'id="document-pending"' in waiting.content.decode() and 'http-equiv="refresh"' in waiting.content.decode()
    assert documents_render_pending() == {"rendered": 1}  # the worker, after commit
    receipt = web.get(receipt_url)
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    assert receipt["Cache-Control"] == "private, no-store"
    content = pdf_text(receipt)
    assert "投诉登记回执" in content and complaint.code in content and "2026年9月28日" in content
    assert web.get(f"/complaints/track/{complaint.code}/receipt?mobile_last4=1234").status_code == 404
    assert web.get(f"/complaints/track/{complaint.code}/receipt").status_code == 404
    # Another browser has no done page to see.
    from django.test import Client

    assert Client().get("/complaints/new/done/")["Location"] == "/complaints/track/"


@pytest.mark.parametrize("how", ["wrong", "missing", "forged", "expired"])
def test_the_challenge_must_be_answered(web, travel, how, monkeypatch):
    travel("2026-09-14")
    page = web.get("/complaints/new/")
    answer = solved(page)
    if how == "wrong":
        answer["challenge_answer"] = str(int(answer["challenge_answer"]) + 1)
    elif how == "missing":
        answer["challenge_answer"] = ""
    elif how == "forged":
        answer["challenge_token"] = answer["challenge_token"][:-3] + "abc"
    else:
        import time

        later = time.time() + 31 * 60
        monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    response = web.post("/complaints/new/", {**FORM, **answer})
    assert response.status_code == 200
    assert errors(response, "challenge_answer")
    if how == "expired":
        assert errors(response, "challenge_answer") == ["The question has expired; please answer the new one."]
    assert Complaint.objects.count() == 0
    # A new question is asked; the answer does not carry over; what was typed stays.
    assert response.context["form"]["challenge_answer"].value() == ""
    assert response.context["form"]["complainant_name"].value() == "X市恒信建材有限公司"


def test_the_token_holds_no_readable_answer():
    from django.core import signing

    question, token = challenge_new()
    a, b = map(int, re.findall(r"\d+", question))
    payload = signing.loads(token, salt="govcredit.complaints.challenge")
    assert str(a + b) not in {str(v) for v in payload.values()}


def test_bad_input_is_shown_next_to_each_field_and_nothing_is_saved(web, travel):
    travel("2026-09-14")
    bad = {
        **FORM,
        "complainant_uscc": "91410100AY4CL12THX",
        "contact_mobile": "1381234",
        "respondent_agency": "",
        "contract_number": "",
        "amount_claimed": "abc",
        "facts": "太短",
    }
    del bad["declaration"]
    response = post_form(web, bad)
    assert response.status_code == 200
    assert errors(response, "complainant_uscc") == ["Enter a valid unified social credit code (18 characters)."]
    assert errors(response, "contact_mobile") == ["Enter an 11-digit mainland mobile number."]
    assert errors(response, "respondent_agency") == ["Choose the agency, or name the body if it is not in the list."]
    assert errors(response, "contract_number") == ["Choose the registered contract, or give its number and date."]
    assert errors(response, "amount_claimed") == ["Enter the amount in yuan, with at most two decimals."]
    assert errors(response, "facts") == ["Describe what happened (at least 10 characters)."]
    assert errors(response, "declaration") == ["Confirm the declaration."]
    assert "Please correct the marked fields" in text(response)
    assert (Complaint.objects.count(), Document.objects.count()) == (0, 0)
    # A wrong answer and bad fields: all is said at once.
    response = web.post("/complaints/new/", {**bad, "challenge_answer": "99", "challenge_token": "x"})
    assert errors(response, "challenge_answer") and errors(response, "contact_mobile")


def test_an_unlisted_body_duplicates_floods_and_big_files(web, travel, settings):
    travel("2026-09-14")
    unlisted = {**FORM, "respondent_agency": "", "respondent_other": "X市某区住房和城乡建设局"}
    assert post_form(web, unlisted).status_code == 302
    assert Complaint.objects.get().respondent_name == "X市某区住房和城乡建设局"
    again = post_form(web, unlisted)
    assert "already being handled" in " ".join(str(e) for e in again.context["form"].non_field_errors())
    settings.GOVCREDIT_COMPLAINT_EVIDENCE_MAX_BYTES = 1024
    big = post_form(
        web, {**FORM, "contract_number": "B-1"}, {"evidence": [SimpleUploadedFile("扫描件.pdf", PDF + b"0" * 5000)]}
    )
    assert errors(big, "evidence") == ["扫描件.pdf is larger than 10 MB."] or "扫描件.pdf" in errors(big, "evidence")[0]
    settings.GOVCREDIT_COMPLAINT_LIMIT_PER_IP_HOUR = 2
    flood = post_form(web, {**FORM, "contract_number": "B-2"})
    assert "Too many complaints" in " ".join(str(e) for e in flood.context["form"].non_field_errors())
    assert (Complaint.objects.count(), ComplaintEvidence.objects.count()) == (1, 0)


# --- tracking and evaluation -------------------------------------------------------------------------------------


def test_tracking_shows_progress_and_nothing_personal(web, travel):
    c = filed(travel)
    complaint_task(complaint=c, step="accept", user=u("complaint_officer"))
    complaint_task(complaint=c, step="transfer", user=u("complaint_officer"), agency=Agency.objects.get(code="XJTJ"))
    complaint_task(
        complaint=c,
        step="handle",
        user=u("agency_clerk"),
        findings="经核实，货款确未支付。",
        amount_confirmed="180000.00",
        disputed=False,
    )
    page = web.get("/complaints/track/", {"code": c.code.lower(), "mobile_last4": "5678"})
    assert page.status_code == 200
    body = text(page)
    assert c.code in body and "X市交通运输局" in body
    assert "Handling done Started on 2026-09-14 Due by 2026-10-14 Done on 2026-09-14" in body  # the stepper
    html = page.content.decode()
    assert '<li class="stepper-step done" id="step-handling">' in html
    assert '<li class="stepper-step in_progress" id="step-feedback" aria-current="step">' in html
    assert '<li class="stepper-step pending" id="step-evaluation">' in html
    for secret in ("张伟", "13812345678", "180000", "180,000", "货款", "经核实", "91410100AY4CL12THU", "恒信建材"):
        assert secret not in page.content.decode()
    assert page["X-Robots-Tag"] == "noindex"

    wrong_digits = web.get("/complaints/track/", {"code": c.code, "mobile_last4": "0000"})
    wrong_code = web.get("/complaints/track/", {"code": "TS20260914ZZZZZZ", "mobile_last4": "5678"})
    assert wrong_digits.status_code == wrong_code.status_code == 404
    assert "No complaint matches this code and these digits." in text(wrong_digits)
    assert text(wrong_digits).replace(c.code, "") == text(wrong_code).replace("TS20260914ZZZZZZ", "")
    assert web.get("/complaints/track/", {"code": c.code, "mobile_last4": "56"}).status_code == 200  # form error


def test_the_complainant_reads_the_reply_and_evaluates_on_the_tracking_page(web, travel):
    c = filed(travel)
    complaint_task(complaint=c, step="accept", user=u("complaint_officer"))
    complaint_task(complaint=c, step="transfer", user=u("complaint_officer"), agency=Agency.objects.get(code="XJTJ"))
    complaint_task(
        complaint=c,
        step="handle",
        user=u("agency_clerk"),
        findings="经核实，货款确未支付。",
        amount_confirmed="180000.00",
        disputed=False,
    )
    travel("2026-09-20")
    complaint_task(complaint=c, step="feedback", user=u("agency_clerk"), text="我局将于10月底前付清全部货款。")
    page = web.get("/complaints/track/", {"code": c.code, "mobile_last4": "5678"})
    assert "Your evaluation" in text(page)
    documents_render_pending()
    reply = web.get(f"/complaints/track/{c.code}/reply?mobile_last4=5678")
    assert "投诉办理情况答复函" in pdf_text(reply)
    # Wrong digits change nothing.
    assert (
        web.post(reverse("complaint-evaluate", args=[c.code]), {"mobile_last4": "1111", "satisfied": "yes"}).status_code
        == 404
    )
    # "Not satisfied" asks for the reason; without one nothing is recorded.
    assert 'name="reason"' in page.content.decode()
    refused = web.post(reverse("complaint-evaluate", args=[c.code]), {"mobile_last4": "5678", "satisfied": "no"})
    c.refresh_from_db()
    assert c.evaluated_on is None and "Say why you are not satisfied." in text(web.get(refused["Location"]))
    response = web.post(reverse("complaint-evaluate", args=[c.code]), {"mobile_last4": "5678", "satisfied": "yes"})
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.status, c.satisfied, c.closed_on) == ("closed", True, D(2026, 9, 20))
    page = web.get(response["Location"])
    assert "Thank you. The complaint is closed." in text(page)
    assert "You were satisfied" in text(page)
    assert 'name="satisfied"' not in page.content.decode()
    # Nothing is left for anyone to do on the case page.
    login(web, "supervisor")
    page = web.get(f"/staff/complaints/{c.code}/")
    assert page.context["step"] is None and "complaint-action" not in page.content.decode()


# --- staff ----------------------------------------------------------------------------------------------------


def test_the_list_is_scoped_and_filtered(web, travel):
    one = filed(travel)
    two = filed(
        travel,
        respondent={"agency": "XJYJ"},
        contract={"number": "JY-1"},
        contact={"name": "李", "mobile": "13900000001"},
    )
    login(web, "agency_clerk")
    page = web.get("/staff/complaints/")
    assert one.code in text(page) and two.code not in text(page)
    login(web, "complaint_officer")
    assert {one.code, two.code} <= set(text(web.get("/staff/complaints/")).split())
    assert two.code not in text(web.get("/staff/complaints/", {"respondent": "XJTJ"}))
    assert one.code not in text(web.get("/staff/complaints/", {"status": "closed"}))
    travel("2026-09-29")  # both acceptance decisions were due 09-28
    late = web.get("/staff/complaints/", {"overdue": "on"})
    assert one.code in text(late) and two.code in text(late)
    login(web, "enterprise_user")
    assert web.get("/staff/complaints/").status_code == 403
    web.logout()
    assert web.get("/staff/complaints/").status_code == 302


def test_the_case_page_walks_the_steps(web, travel):
    travel("2026-09-14")
    c = complaint_submit(data=BODY, evidence=[SimpleUploadedFile("验收单.pdf", PDF)], ip="203.0.113.9")
    url = f"/staff/complaints/{c.code}/"
    login(web, "complaint_officer")
    page = web.get(url)
    assert page.context["step"] == "accept"
    assert "Decide whether to accept the complaint" in text(page)
    assert "张伟 · 13812345678" in text(page) and "¥180,000.00" in text(page)
    # Not accepting needs an explanation.
    response = web.post(url, {"action": "accept", "accept-decision": "reject", "accept-reason": "in_court"})
    assert response.status_code == 200
    assert response.context["form"].errors["text"] == ["Explain the decision to the complainant."]
    travel("2026-09-15")
    response = web.post(url, {"action": "accept", "accept-decision": "accept"})
    assert response.status_code == 302
    page = web.get(url)
    assert page.context["step"] == "transfer"
    assert page.context["form"]["agency"].value() == "XJTJ"  # the respondent, proposed
    web.post(url, {"action": "transfer", "transfer-agency": "XJTJ"})
    c.refresh_from_db()
    assert (c.status, c.handling_agency.code, c.transferred_on) == ("transferred", "XJTJ", D(2026, 9, 15))
    page = web.get(url)
    assert page.context["step"] is None
    assert "Transferred to X市交通运输局" in text(page)
    assert "Handle and reply 投诉办理并书面答复" in text(page) and "2026-10-15" in text(page)
    # A step that is not yours now changes nothing.
    response = web.post(url, {"action": "handle", "handle-findings": "x"}, follow=True)
    assert "There is nothing for you to do on this complaint now." in text(response)

    login(web, "agency_clerk")
    page = web.get(url)
    assert page.context["step"] == "handle" and page.context["extend_form"] is None
    web.post(
        url, {"action": "handle", "handle-findings": "经核实，货款确未支付。", "handle-amount_confirmed": "180000"}
    )
    web.post(url, {"action": "feedback", "feedback-text": "我局将于10月底前付清全部货款。"})
    c.refresh_from_db()
    assert c.status == "answered"
    page = web.get(url)
    titles = [d.title for d in page.context["documents"]]
    assert titles == ["投诉登记回执", "投诉办理情况答复函"]
    reply = next(d for d in page.context["documents"] if d.title == "投诉办理情况答复函")
    assert web.get(f"/staff/complaints/{c.code}/documents/{reply.pk}").status_code == 202  # 生成中
    documents_render_pending()
    assert web.get(f"/staff/complaints/{c.code}/documents/{reply.pk}").status_code == 200
    history = text(page)
    assert "赵立新 · Accepted" in history and "李文清 · Written reply sent" in history
    assert "the system · Complaint submitted" in history  # filed here through the service, by nobody

    evidence = c.evidence.get()
    assert web.get(f"/staff/complaints/{c.code}/evidence/{evidence.pk}").status_code == 200
    login(web, "agency_clerk2")
    assert web.get(url).status_code == 404
    assert web.get(f"/staff/complaints/{c.code}/evidence/{evidence.pk}").status_code == 404
    assert web.get(f"/staff/complaints/{c.code}/documents/{reply.pk}").status_code == 404
    other = filed(travel, respondent={"agency": "XJYJ"}, contract={"number": "JY-1"})
    assert web.get(f"/staff/complaints/{other.code}/evidence/{evidence.pk}").status_code == 404


def test_the_head_extends_from_the_case_page(web, travel):
    c = filed(travel)
    complaint_task(complaint=c, step="accept", user=u("complaint_officer"))
    complaint_task(complaint=c, step="transfer", user=u("complaint_officer"), agency=Agency.objects.get(code="XJTJ"))
    url = f"/staff/complaints/{c.code}/"
    login(web, "agency_clerk")
    web.post(url, {"action": "extend", "extend-days": "30", "extend-reason": "x"})
    login(web, "agency_head")
    page = web.get(url)
    assert page.context["extend_form"] is not None
    assert "Handling is due by 2026-10-14" in text(page)
    response = web.post(url, {"action": "extend", "extend-days": "61", "extend-reason": "再延期"})
    assert "above the legal ceiling" in response.context["extend_form"].errors["days"][0]
    response = web.post(url, {"action": "extend", "extend-days": "30", "extend-reason": "涉及多个标段，需调取档案核对"})
    assert response.status_code == 302
    page = web.get(url)
    assert "was 2026-10-14; extended by 30 days" in text(page)
    assert "涉及多个标段" in text(page)
    assert AuditLog.objects.filter(action="complaint.extend", actor__username="agency_head").count() == 1


def test_the_flow_links_to_the_case_page_by_id(web, travel):
    c = filed(travel)
    process = ComplaintProcess.objects.get(artifact_object_id=c.pk)
    assert process.get_absolute_url() == f"/staff/complaints/id/{c.pk}/"
    login(web, "complaint_officer")
    assert web.get(process.get_absolute_url())["Location"] == f"/staff/complaints/{c.code}/"
    login(web, "agency_clerk2")
    assert web.get(process.get_absolute_url()).status_code == 404


# --- the supervisor's dashboard -------------------------------------------------------------------------------


@pytest.fixture
def overdue(demo, travel, sweep):
    c = filed(travel)
    complaint_task(complaint=c, step="accept", user=u("complaint_officer"))
    complaint_task(complaint=c, step="transfer", user=u("complaint_officer"), agency=Agency.objects.get(code="XJTJ"))
    sweep(D(2026, 10, 15))  # handling was due 10-14
    return c


def test_the_dashboard_lists_overdue_complaints_and_issues_the_notice(web, overdue, travel):
    c = overdue
    login(web, "complaint_officer")
    assert web.get("/staff/complaints/dashboard/").status_code == 403
    login(web, "supervisor")
    travel("2026-10-16")
    page = web.get("/staff/complaints/dashboard/")
    body = text(page)
    assert f"{c.code} X市恒信建材有限公司 X市交通运输局 X市交通运输局 Handle and reply 2026-10-14 2" in body
    notice = ComplaintSupervisionNotice.objects.get()
    assert notice.text in page.content.decode()
    edited = notice.text + "\n逾期不报的，将予以通报。"
    response = web.post(
        reverse("complaint-notice-issue", args=[notice.pk]), {f"n{notice.pk}-text": edited}, follow=True
    )
    assert "Supervision notice X发改投诉督办〔2026〕1号 issued to X市交通运输局." in text(response)
    notice.refresh_from_db()
    assert (notice.issued_on, notice.issued_by, notice.text) == (D(2026, 10, 16), u("supervisor"), edited.strip())
    document = Document.objects.get(doc_type="complaint_supervision_notice")
    assert (document.doc_number, document.issuer.code) == ("X发改投诉督办〔2026〕1号", "XFGW")
    documents_render_pending()
    pdf = pdf_text(web.get(f"/staff/complaints/{c.code}/documents/{document.pk}"))
    assert "投诉办理督办书" in pdf and "逾期不报的，将予以通报" in pdf and "2026年10月14日" in pdf
    assert "X市交通运输局：" in pdf
    told = Notification.objects.filter(category="complaint.supervision")
    assert sorted(told.values_list("recipient__username", flat=True)) == ["agency_clerk", "agency_head"]
    assert AuditLog.objects.filter(action="complaint.supervision_notice").count() == 1
    # Twice is once.
    web.post(reverse("complaint-notice-issue", args=[notice.pk]), {f"n{notice.pk}-text": "另一份"})
    supervision_notice_issue(notice=notice, text="又一份", acting_user=u("supervisor"))
    assert (Document.objects.filter(doc_type="complaint_supervision_notice").count(), told.count()) == (1, 2)
    notice.refresh_from_db()
    assert notice.text == edited.strip()
    page = web.get("/staff/complaints/dashboard/")
    assert "X发改投诉督办〔2026〕1号" in text(page)
    # The clerk sees it on the case page.
    login(web, "agency_clerk")
    assert "Issued on 2026-10-16." in text(web.get(f"/staff/complaints/{c.code}/"))


def test_only_supervisors_issue_and_not_after_the_body_reported_back(overdue, travel):
    notice = ComplaintSupervisionNotice.objects.get()
    with pytest.raises(PermissionDenied):
        supervision_notice_issue(notice=notice, text="x", acting_user=u("complaint_officer"))
    complaint_task(
        complaint=overdue,
        step="handle",
        user=u("agency_clerk"),
        findings="已核实。",
        amount_confirmed=None,
        disputed=False,
    )
    with pytest.raises(Conflict):
        supervision_notice_issue(notice=notice, text=notice.text, acting_user=u("supervisor"))
    assert Document.objects.filter(doc_type="complaint_supervision_notice").count() == 0


def test_the_dashboard_shows_the_measures_of_a_period(web, travel):
    c = filed(travel)
    complaint_task(complaint=c, step="accept", user=u("complaint_officer"))
    complaint_task(complaint=c, step="transfer", user=u("complaint_officer"), agency=Agency.objects.get(code="XJTJ"))
    travel("2026-09-24")
    complaint_task(
        complaint=c,
        step="handle",
        user=u("agency_clerk"),
        findings="已核实。",
        amount_confirmed="150000.00",
        disputed=False,
    )
    complaint_task(complaint=c, step="feedback", user=u("agency_clerk"), text="已安排付款。")
    from contracts.complaints.process import complaint_evaluate_by_complainant

    complaint_evaluate_by_complainant(code=c.code, mobile_last4="5678", satisfied=True)
    filed(travel, day="2026-09-25", respondent={"name": "X市某区住房和城乡建设局"}, contract={"number": "Z-1"})
    login(web, "supervisor")
    page = web.get("/staff/complaints/dashboard/", {"period": "2026Q3"})
    m = page.context["m"]
    assert (m["received"], m["handled"], m["handled_on_time"], m["average_handling_days"]) == (2, 1, 1, 10.0)
    body = text(page)
    assert "Complaints received from 2026-07-01 to 2026-09-30" in body
    assert "100% handled on time (1)" in body and "100% satisfied (1 of 1 evaluated)" in body
    assert "closed 1" in body and "submitted 1" in body
    assert "X市交通运输局 1" in body and "bodies not in the list 1" in body
    assert web.get("/staff/complaints/dashboard/", {"period": "2026Q4"}).context["m"]["received"] == 0
    bad = web.get("/staff/complaints/dashboard/", {"period": "soon"}, follow=True)
    assert "Period must look like" in text(bad)


def test_list_case_page_and_dashboard_queries_do_not_grow_with_the_data(
    web, travel, sweep, settings, django_assert_max_num_queries
):
    settings.GOVCREDIT_COMPLAINT_LIMIT_PER_IP_HOUR = 100
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url, user):
        login(web, user)
        with CaptureQueriesContext(connection) as ctx:
            assert web.get(url).status_code == 200
        return len(ctx.captured_queries)

    first = filed(travel)
    complaint_task(complaint=first, step="accept", user=u("complaint_officer"))
    complaint_task(
        complaint=first, step="transfer", user=u("complaint_officer"), agency=Agency.objects.get(code="XJTJ")
    )
    few = (count("/staff/complaints/", "complaint_officer"), count("/staff/complaints/dashboard/", "supervisor"))
    for i in range(8):
        c = filed(travel, contract={"number": f"N-{i}"}, contact={"name": "李", "mobile": f"1390000{i:04d}"})
        complaint_task(complaint=c, step="accept", user=u("complaint_officer"))
        complaint_task(
            complaint=c, step="transfer", user=u("complaint_officer"), agency=Agency.objects.get(code="XJTJ")
        )
    sweep(D(2026, 10, 15))  # nine overdue, nine drafts
    many = (count("/staff/complaints/", "complaint_officer"), count("/staff/complaints/dashboard/", "supervisor"))
    assert many[0] == few[0]
    assert many[1] == few[1]
    with django_assert_max_num_queries(40):
        web.get(f"/staff/complaints/{first.code}/")


def test_the_column_has_a_front_page_with_the_time_limits_and_both_ways_in(client):
    page = client.get("/complaints/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "政府违约失信投诉专栏" in text and "查询码印在受理回执上。" in text
    assert reverse("complaint-new") in text and f'action="{reverse("complaint-track")}"' in text
    # The statutory limits come from the rules in force, with their basis.
    assert "保障中小企业款项支付条例" in text
