"""Staff pages for government contracts: who sees what, the registration form, the clerk's actions,
attachments, warnings."""

import datetime as dt
import hashlib
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import Contract, ContractAttachment, Milestone, Payment, PerformanceReport, Warning
from workflow.models import AuditLog, Enterprise, User

D = dt.date
pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def demo(db, monkeypatch):
    """Agencies, enterprises and users only: these tests count contracts and warnings, so the demo
    contracts that seed_demo adds (contracts.demo) stay out."""
    from django.core.management import call_command

    monkeypatch.setattr("contracts.demo.seed", lambda stdout=None: "skipped in these tests")
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def as_user(client, demo):
    """Log the test client in as a demo user; pages in English so that texts are stable."""

    def _as(username):
        client.force_login(User.objects.get(username=username))
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return _as


def text(response) -> str:
    """The page as a person reads it: tags removed, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def field_errors(response, name) -> list[str]:
    form = response.context["form"]
    return [str(e) for e in form.errors.get(name, [])]


def upload(name, content, content_type="application/pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def contract_post(**over):
    """A complete registration form: signed 2026-08-03, an SME counterparty, three milestone rows
    of which two are filled in."""
    data = {
        "number": "HT-2026-031",
        "title": "国道养护工程材料采购",
        "kind": "goods",
        "procurement": "on",
        "counterparty_name": "X市恒信建材有限公司",
        "counterparty_uscc": "91410100AY4CL12THU",
        "counterparty_size": "small",
        "amount": "300000.00",
        "signed_on": "2026-08-03",
        "ends_on": "2027-08-02",
        "payment_term_days": "",
        "late_interest_daily": "",
        "report_period_months": "1",
        "milestones-TOTAL_FORMS": "3",
        "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "0",
        "milestones-MAX_NUM_FORMS": "50",
        "milestones-0-kind": "delivery",
        "milestones-0-title": "第一批交付",
        "milestones-0-planned_on": "2026-09-01",
        "milestones-1-kind": "payment",
        "milestones-1-title": "第一期付款",
        "milestones-1-amount": "100000.00",
        "milestones-1-planned_on": "2026-10-01",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


# --- who may open what --------------------------------------------------------------------------


def test_list_is_scoped_to_the_agency(make_contract, as_user):
    make_contract(number="HT-JT-1")
    make_contract(number="HT-JY-1", agency_code="XJYJ")
    page = text(as_user("agency_clerk").get(reverse("contracts-list")))
    assert "HT-JT-1" in page and "HT-JY-1" not in page
    page = text(as_user("agency_clerk2").get(reverse("contracts-list")))
    assert "HT-JY-1" in page and "HT-JT-1" not in page
    page = text(as_user("supervisor").get(reverse("contracts-list")))
    assert "HT-JT-1" in page and "HT-JY-1" in page


def test_another_agencys_contract_and_its_attachment_are_404(make_contract, as_user, travel):
    travel("2026-08-04")
    clerk = as_user("agency_clerk")
    response = clerk.post(
        reverse("contracts-new"), contract_post(attachment=upload("合同扫描件.pdf", PDF)), HTTP_ACCEPT_LANGUAGE="en"
    )
    contract = Contract.objects.get(number="HT-2026-031")
    attachment = contract.attachments.get()
    detail = reverse("contracts-detail", args=[contract.pk])
    download = reverse("contracts-attachment", args=[contract.pk, attachment.pk])
    assert response.status_code == 302 and response.url == detail

    other = as_user("agency_clerk2")
    assert other.get(detail).status_code == 404
    assert other.get(download).status_code == 404
    assert other.post(reverse("contracts-delivery", args=[contract.pk]), {}).status_code == 404
    assert other.post(reverse("contracts-payment", args=[contract.pk]), {}).status_code == 404
    # The counterparty may download the scan of its own contract; another enterprise may not know it exists.
    assert as_user("enterprise_user2").get(download).status_code == 404
    got = as_user("enterprise_user").get(download)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    # ... but the staff pages are not for enterprises.
    assert as_user("enterprise_user").get(detail).status_code == 403


@pytest.mark.parametrize(
    "username, code",
    [
        ("agency_clerk", 200),
        ("agency_clerk2", 200),
        ("enterprise_user", 403),
        ("supervisor", 403),
        ("agency_head", 403),
    ],
)
def test_only_agency_clerks_open_the_registration_form(as_user, username, code):
    assert as_user(username).get(reverse("contracts-new")).status_code == code


def test_anonymous_is_sent_to_login(client, demo):
    for url in (reverse("contracts-list"), reverse("contracts-new"), reverse("contracts-warnings")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_supervisor_reads_but_has_no_clerk_actions(make_contract, as_user):
    contract = make_contract()
    supervisor = as_user("supervisor")
    response = supervisor.get(reverse("contracts-detail", args=[contract.pk]))
    assert response.status_code == 200
    assert "Record a delivery" not in text(response) and "delivery_form" not in response.context
    m = contract.milestones.get(kind="payment")
    post = supervisor.post(
        reverse("contracts-delivery", args=[contract.pk]), {"milestone": m.pk, "delivered_on": "2026-08-04"}
    )
    assert post.status_code == 403
    m.refresh_from_db()
    assert m.delivered_on is None


# --- the list -----------------------------------------------------------------------------------


def test_list_filters_paginates_and_counts_warnings_in_few_queries(
    make_contract, as_user, sweep, travel, django_assert_max_num_queries
):
    for i in range(27):
        make_contract(number=f"HT-{i:03d}", title=f"养护合同{i}")
    make_contract(
        number="HT-OTHER",
        kind="works",
        counterparty={"name": "X市安远物流有限公司", "uscc": "91410104J3Y7LLJY1K", "size": "medium"},
    )
    sweep(D(2026, 9, 10))  # every contract misses its first monthly report (due 2026-09-03)
    clerk = as_user("agency_clerk")
    with django_assert_max_num_queries(10):
        response = clerk.get(reverse("contracts-list"))
    page = text(response)
    assert "28 contracts" in page and "Page 1 of 2" in page
    assert len(response.context["page"].object_list) == 25
    row = response.context["page"].object_list[0]
    assert row["open_warnings"] == 1  # report missing (the page's rows are dicts of the columns shown)
    with django_assert_max_num_queries(10):
        second = clerk.get(reverse("contracts-list"), {"page": 2})
    assert len(second.context["page"].object_list) == 3

    numbers = lambda **f: [c["number"] for c in clerk.get(reverse("contracts-list"), f).context["page"]]  # noqa: E731
    assert numbers(kind="works") == ["HT-OTHER"]
    assert numbers(q="安远") == ["HT-OTHER"]
    assert numbers(q="HT-026") == ["HT-026"]
    assert clerk.get(reverse("contracts-list"), {"status": "fulfilled"}).context["page"].paginator.count == 0
    # A bad filter value is ignored, not an error.
    assert clerk.get(reverse("contracts-list"), {"status": "nonsense"}).status_code == 200


# --- registering through the form ---------------------------------------------------------------


def test_full_form_post_registers_the_contract_with_its_statutory_dates(as_user, travel):
    travel("2026-09-30")
    clerk = as_user("agency_clerk")
    response = clerk.post(
        reverse("contracts-new"),
        contract_post(signed_on="2026-09-29", attachment=upload("scan.pdf", PDF)),
        follow=True,
    )
    contract = Contract.objects.get(number="HT-2026-031")
    assert response.redirect_chain == [(reverse("contracts-detail", args=[contract.pk]), 302)]
    assert (contract.agency.code, contract.status, contract.counterparty_size) == ("XJTJ", "registered", "small")
    assert (contract.amount, contract.procurement) == (Decimal("300000.00"), True)
    assert (contract.registered_on, contract.register_due_on, contract.publish_due_on) == (
        D(2026, 9, 30),
        D(2026, 10, 14),  # 7 working days, across the National Day holiday
        D(2026, 10, 8),  # 2 working days
    )
    assert list(contract.milestones.values_list("kind", "title", "amount")) == [
        ("delivery", "第一批交付", None),
        ("payment", "第一期付款", Decimal("100000.00")),
    ]
    page = text(response)
    assert "Contract HT-2026-031 registered on 2026-09-30." in page
    assert "Registration due 2026-10-14" in page and "Registered on 2026-09-30 on time" in page
    assert "Publication due 2026-10-08" in page
    assert "¥300,000.00" in page and "叁拾万元整" in page
    attachment = contract.attachments.get()
    assert (attachment.content_type, attachment.size_bytes) == ("application/pdf", len(PDF))
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.file.name.startswith("contracts/") and "scan" not in attachment.file.name


@pytest.mark.parametrize(
    "over, field, row, message",
    [
        (
            {"counterparty_uscc": "91410100AY4CL12THX"},
            "counterparty_uscc",
            None,
            "not a valid unified social credit code",
        ),
        ({"payment_term_days": "61"}, "payment_term_days", None, "60"),
        ({"signed_on": "2026-08-05"}, "signed_on", None, "cannot be in the future"),
        ({"amount": "0"}, "amount", None, "greater than zero"),
        ({"ends_on": "2026-01-01"}, "ends_on", None, "cannot end before"),
        # The first row is left empty: the service's milestones.0 is the form's row 1... here row 2.
        (
            {
                "milestones-0-kind": "",
                "milestones-0-title": "",
                "milestones-0-planned_on": "",
                "milestones-2-kind": "payment",
                "milestones-2-title": "尾款",
                "milestones-2-planned_on": "2026-12-01",
            },
            "amount",
            2,
            "needs an amount",
        ),
        ({"milestones-1-amount": "300000.01"}, None, "formset", "more than the contract amount"),
        ({"attachment": "png-named-pdf"}, "attachment", None, "must match its name"),
    ],
)
def test_form_errors_are_shown_at_the_field_and_nothing_is_saved(as_user, travel, over, field, row, message):
    travel("2026-08-04")
    over = dict(over)
    if over.get("attachment") == "png-named-pdf":
        over["attachment"] = upload("scan.pdf", PNG)
    new_uscc = over.get("counterparty_uscc")
    before = (Enterprise.objects.count(), AuditLog.objects.count())
    response = as_user("agency_clerk").post(reverse("contracts-new"), contract_post(**over))
    assert response.status_code == 200
    if row == "formset":
        errors = [str(e) for e in response.context["formset"].non_form_errors()]
    elif row is not None:
        errors = [str(e) for e in response.context["formset"].forms[row].errors.get(field, [])]
    else:
        errors = field_errors(response, field)
    assert any(message in e for e in errors), errors
    assert "The contract was not saved" in text(response)
    assert Contract.objects.count() == 0 and Milestone.objects.count() == 0
    assert ContractAttachment.objects.count() == 0
    assert (Enterprise.objects.count(), AuditLog.objects.count()) == before
    if new_uscc:
        assert not Enterprise.objects.filter(uscc=new_uscc).exists()
    # What was typed is still there.
    assert response.context["form"]["number"].value() == "HT-2026-031"


def test_a_new_counterparty_is_created_with_its_size(as_user, travel):
    travel("2026-08-04")
    as_user("agency_clerk").post(
        reverse("contracts-new"),
        contract_post(
            counterparty_name="X市新绿环保科技有限公司",
            counterparty_uscc="91110000600037341L",
            counterparty_size="micro",
        ),
    )
    contract = Contract.objects.get()
    assert (contract.counterparty.name, contract.counterparty.size, contract.counterparty_size) == (
        "X市新绿环保科技有限公司",
        "micro",
        "micro",
    )


def test_the_form_has_three_blank_rows_and_an_add_row_button(as_user):
    response = as_user("agency_clerk").get(reverse("contracts-new"))
    html = response.content.decode()
    assert html.count('name="milestones-2-kind"') == 1 and 'name="milestones-3-kind"' not in html
    assert 'id="add-milestone"' in html and "__prefix__" in html
    assert "<script src=" not in html  # no CDN, nothing fetched from elsewhere
    assert "at most 60 days may be agreed" in text(response)


def test_rows_added_in_the_browser_are_saved(as_user, travel):
    travel("2026-08-04")
    extra = {
        "milestones-TOTAL_FORMS": "5",
        "milestones-4-kind": "acceptance",
        "milestones-4-title": "终验",
        "milestones-4-planned_on": "2026-11-30",
    }
    as_user("agency_clerk").post(reverse("contracts-new"), contract_post(**extra))
    assert list(Contract.objects.get().milestones.values_list("title", flat=True)) == [
        "第一批交付",
        "第一期付款",
        "终验",
    ]


# --- attachments --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, ok",
    [
        ("scan.pdf", PDF, True),
        ("scan.PNG", PNG, True),
        ("scan.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 32, True),
        ("scan.pdf", PNG, False),  # a PNG named .pdf
        ("scan.png", b"\x89PNX\r\n\x1a\n" + b"\x00" * 32, False),  # wrong magic
        ("scan.exe", b"MZ\x90\x00", False),
        ("scan.html", b"<html><script>alert(1)</script>", False),
        ("empty.pdf", b"", False),
    ],
)
def test_attachment_type_is_checked_by_content(make_contract, as_user, name, content, ok):
    contract = make_contract()
    response = as_user("agency_clerk").post(
        reverse("contracts-attachment-upload", args=[contract.pk]), {"attachment": upload(name, content)}
    )
    assert ContractAttachment.objects.filter(contract=contract).exists() is ok
    if ok:
        assert response.status_code == 302
    else:
        assert response.status_code == 200
        assert response.context["attachment_form"].errors["attachment"]


def test_attachment_over_20_mb_is_refused_without_being_stored(make_contract, as_user):
    contract = make_contract()
    big = PDF + b"\x00" * (20 * 1024 * 1024)
    response = as_user("agency_clerk").post(
        reverse("contracts-attachment-upload", args=[contract.pk]), {"attachment": upload("big.pdf", big)}
    )
    assert response.status_code == 200
    assert response.context["attachment_form"].errors["attachment"] == ["The file is larger than 20 MB."]
    # The upload was cut off at the limit as it streamed in: nothing of it was kept.
    cut = response.wsgi_request.FILES["attachment"]
    assert (type(cut).__name__, cut.size) == ("OversizedUpload", len(big))
    assert ContractAttachment.objects.count() == 0
    # Exactly 20 MB is still fine.
    exact = PDF + b"\x00" * (20 * 1024 * 1024 - len(PDF))
    ok = as_user("agency_clerk").post(
        reverse("contracts-attachment-upload", args=[contract.pk]), {"attachment": upload("exact.pdf", exact)}
    )
    assert ok.status_code == 302
    assert ContractAttachment.objects.get().size_bytes == 20 * 1024 * 1024


def test_attachment_download_headers(make_contract, as_user):
    contract = make_contract()
    clerk = as_user("agency_clerk")
    clerk.post(reverse("contracts-attachment-upload", args=[contract.pk]), {"attachment": upload("签字版.pdf", PDF)})
    a = ContractAttachment.objects.get()
    response = clerk.get(reverse("contracts-attachment", args=[contract.pk, a.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert clerk.get(reverse("contracts-attachment", args=[contract.pk, a.pk + 1])).status_code == 404
    assert as_user("supervisor").get(reverse("contracts-attachment", args=[contract.pk, a.pk])).status_code == 200


# --- delivery, payment, report, amendment -------------------------------------------------------


def test_delivery_form_sets_the_statutory_payment_date(make_contract, as_user, travel):
    contract = make_contract()  # signed 2026-08-03, government payer, small enterprise
    m = contract.milestones.get(kind="payment")
    travel("2026-09-02")
    response = as_user("agency_clerk").post(
        reverse("contracts-delivery", args=[contract.pk]),
        {"milestone": m.pk, "delivered_on": "2026-09-02", "accepted_on": ""},
        follow=True,
    )
    m.refresh_from_db()
    assert (m.delivered_on, m.payment_due_on, m.status) == (D(2026, 9, 2), D(2026, 10, 8), "due")
    page = text(response)
    assert "Payment is due on 2026-10-08." in page
    row = re.search(rf'id="milestone-{m.pk}".*?</tr>', response.content.decode(), re.S).group(0)
    assert "2026-10-08" in row and "机关、事业单位向中小企业支付款项" in row and "第九条" in row
    contract.refresh_from_db()
    assert contract.status == Contract.Status.PERFORMING


def test_delivery_in_the_future_is_refused_and_nothing_changes(make_contract, as_user, travel):
    contract = make_contract()
    m = contract.milestones.get(kind="payment")
    travel("2026-09-01")
    response = as_user("agency_clerk").post(
        reverse("contracts-delivery", args=[contract.pk]), {"milestone": m.pk, "delivered_on": "2026-09-02"}
    )
    assert response.status_code == 200
    assert response.context["delivery_form"].errors["delivered_on"] == ["The delivery date cannot be in the future."]
    m.refresh_from_db()
    assert (m.delivered_on, m.status) == (None, "planned")


def test_payment_form_partial_then_full(make_contract, as_user, travel):
    contract = make_contract()
    m = contract.milestones.get(kind="payment")
    clerk = as_user("agency_clerk")
    travel("2026-09-02")
    clerk.post(reverse("contracts-delivery", args=[contract.pk]), {"milestone": m.pk, "delivered_on": "2026-09-02"})
    travel("2026-09-20")
    url = reverse("contracts-payment", args=[contract.pk])
    response = clerk.post(url, {"milestone": m.pk, "amount": "40000.00", "paid_on": "2026-09-20"}, follow=True)
    assert "Payment of 40,000.00 on 2026-09-20 recorded." in text(response)
    m.refresh_from_db()
    assert (m.paid_amount, m.status) == (Decimal("40000.00"), "due")
    too_much = clerk.post(url, {"milestone": m.pk, "amount": "60000.01", "paid_on": "2026-09-20"})
    assert "more than the 60000.00 still outstanding" in too_much.context["payment_form"].errors["amount"][0]
    assert Payment.objects.count() == 1
    response = clerk.post(url, {"milestone": m.pk, "amount": "60000.00", "paid_on": "2026-09-20"}, follow=True)
    m.refresh_from_db()
    assert (m.paid_amount, m.status, m.completed_on) == (Decimal("100000.00"), "met", D(2026, 9, 20))
    payments = re.search(r'id="payments".*?</section>', response.content.decode(), re.S).group(0)
    assert payments.count(">2026-09-20<") == 2 and "¥40,000.00" in payments and "¥60,000.00" in payments
    assert "Nothing is outstanding." in text(response)


def test_report_form_moves_the_next_report_date(make_contract, as_user, travel):
    contract = make_contract()
    assert contract.next_report_due_on == D(2026, 9, 3)
    travel("2026-09-03")
    clerk = as_user("agency_clerk")
    url = reverse("contracts-report", args=[contract.pk])
    response = clerk.post(url, {"period_start": "2026-08-03", "progress": "第一批材料已备货"}, follow=True)
    assert "Performance report for 2026-08-03 – 2026-09-03 submitted." in text(response)
    contract.refresh_from_db()
    assert contract.next_report_due_on == D(2026, 10, 8)  # 2026-10-03 is in the National Day holiday
    again = clerk.post(url, {"period_start": "2026-08-03", "progress": "重复"})
    assert again.context["report_form"].errors["period_start"] == [
        "A report for this period has already been submitted."
    ]
    assert PerformanceReport.objects.count() == 1
    empty = clerk.post(url, {"period_start": "2026-09-03", "progress": ""})
    assert empty.context["report_form"].errors["progress"]


def test_amendment_form_keeps_the_old_terms(make_contract, as_user):
    contract = make_contract()
    clerk = as_user("agency_clerk")
    url = reverse("contracts-amend", args=[contract.pk])
    data = {
        "title": contract.title,
        "amount": "320000.00",
        "ends_on": "2027-08-02",
        "payment_term_days": "",
        "late_interest_daily": "",
        "report_period_months": "1",
        "reason": "增加养护路段",
    }
    response = clerk.post(url, data, follow=True)
    contract.refresh_from_db()
    assert (contract.amount, contract.version) == (Decimal("320000.00"), 2)
    versions = re.search(r'id="versions".*?</section>', response.content.decode(), re.S).group(0)
    assert "300000.00" in versions and "增加养护路段" in versions
    over = clerk.post(url, data | {"payment_term_days": "61", "amount": "330000.00"})
    assert "60" in over.context["amend_form"].errors["payment_term_days"][0]
    contract.refresh_from_db()
    assert (contract.amount, contract.version) == (Decimal("320000.00"), 2)


# --- warnings -----------------------------------------------------------------------------------


@pytest.fixture
def overdue(make_contract, clerk, travel, sweep):
    """A payment due 2026-10-08, unpaid; the sweep of 2026-10-09 raised its warning."""
    from contracts.services import milestone_record_delivery

    contract = make_contract()
    travel("2026-09-02")
    m = milestone_record_delivery(
        milestone=contract.milestones.get(kind="payment"), delivered_on=D(2026, 9, 2), acting_user=clerk
    )
    sweep(D(2026, 10, 9))
    return contract, Warning.objects.get(milestone=m, rule="payment.overdue")


def test_detail_shows_the_warning_arrears_and_interest(overdue, as_user, travel, django_assert_max_num_queries):
    contract, warning = overdue
    travel("2026-10-19")
    clerk = as_user("agency_clerk")
    with django_assert_max_num_queries(20):  # constant: no query per milestone, warning or audit row
        response = clerk.get(reverse("contracts-detail", args=[contract.pk]))
    html = response.content.decode()
    row = re.search(rf'id="warning-{warning.pk}".*?</tr>', html, re.S).group(0)
    assert "payment overdue" in row and "2026-10-09" in row and "2026-10-08" in row
    arrears = re.search(r'id="arrears".*?</section>', html, re.S).group(0)
    # 100,000.00 unpaid for 11 days after 2026-10-08 at 0.05 % a day.
    assert "Late-payment interest as of 2026-10-19" in arrears and "¥550.00" in arrears


def test_warning_buttons_change_the_status(overdue, as_user, travel):
    contract, warning = overdue
    url = reverse("contracts-warning-action", args=[warning.pk])
    clerk = as_user("agency_clerk")
    response = clerk.post(url, {"action": "acknowledge", "note": ""})
    assert response.status_code == 302 and response.url.endswith(f"#warning-{warning.pk}")
    warning.refresh_from_db()
    assert warning.status == "acknowledged"

    refused = clerk.post(url, {"action": "resolve", "note": "  "})
    assert refused.status_code == 200
    assert refused.context["warning_error"] == (warning.pk, "Say how the warning was resolved.")
    warning.refresh_from_db()
    assert warning.status == "acknowledged"

    travel("2026-10-12")
    clerk.post(url, {"action": "escalate", "note": "财政资金未到位，请求督办"})
    warning.refresh_from_db()
    assert (warning.status, warning.closed_on, warning.note) == (
        "escalated",
        D(2026, 10, 12),
        "财政资金未到位，请求督办",
    )
    assert AuditLog.objects.filter(action="warning.escalate", object_id=str(warning.pk)).count() == 1
    # Closed: another button press is a conflict, shown as a message; nothing changes.
    again = clerk.post(url, {"action": "resolve", "note": "x"}, follow=True)
    assert "not possible now" in text(again)
    warning.refresh_from_db()
    assert warning.status == "escalated"


def test_warning_buttons_are_for_the_agencys_clerks_only(overdue, as_user):
    _contract, warning = overdue
    url = reverse("contracts-warning-action", args=[warning.pk])
    assert as_user("agency_clerk2").post(url, {"action": "acknowledge"}).status_code == 404
    assert as_user("supervisor").post(url, {"action": "acknowledge"}).status_code == 403
    assert as_user("agency_head").post(url, {"action": "acknowledge"}).status_code == 302
    warning.refresh_from_db()
    assert warning.status == "acknowledged"


def test_warnings_list_scoped_and_filtered(overdue, make_contract, as_user, sweep, django_assert_max_num_queries):
    contract, warning = overdue
    make_contract(number="HT-JY-1", agency_code="XJYJ", signed_on="2026-09-01", today="2026-09-02")
    sweep(D(2026, 10, 9))  # 教育局's contract misses its report due 2026-10-08
    url = reverse("contracts-warnings")
    clerk = text(as_user("agency_clerk").get(url))
    assert contract.number in clerk and "HT-JY-1" not in clerk
    assert "HT-JY-1" in text(as_user("agency_clerk2").get(url)) and contract.number not in text(
        as_user("agency_clerk2").get(url)
    )

    supervisor = as_user("supervisor")
    with django_assert_max_num_queries(10):
        response = supervisor.get(url)
    page = text(response)
    assert contract.number in page and "HT-JY-1" in page
    assert f'href="/staff/contracts/{contract.pk}/#warning-{warning.pk}"' in response.content.decode()
    only = supervisor.get(url, {"rule": "payment.overdue"}).context["page"].object_list
    assert [w.pk for w in only] == [warning.pk]
    assert {w.agency.code for w in supervisor.get(url, {"agency": "XJYJ"}).context["page"]} == {"XJYJ"}
    assert supervisor.get(url, {"level": "3"}).context["page"].paginator.count == 0
    # Closed warnings drop out of the default view but stay under "all".
    from contracts.services import warning_resolve

    warning_resolve(warning=warning, acting_user=User.objects.get(username="agency_clerk"), note="已支付")
    assert warning.pk not in [w.pk for w in supervisor.get(url).context["page"]]
    assert warning.pk in [w.pk for w in supervisor.get(url, {"status": ""}).context["page"]]
    assert as_user("enterprise_user").get(url).status_code == 403


def test_uploading_views_still_check_the_csrf_token(make_contract, demo):
    from django.test import Client

    contract = make_contract()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(User.objects.get(username="agency_clerk"))
    assert browser.post(reverse("contracts-new"), contract_post(number="HT-CSRF")).status_code == 403
    url = reverse("contracts-attachment-upload", args=[contract.pk])
    assert browser.post(url, {"attachment": upload("scan.pdf", PDF)}).status_code == 403
    assert not Contract.objects.filter(number="HT-CSRF").exists() and ContractAttachment.objects.count() == 0
    # With the token from the page, the same post goes through.
    browser.get(reverse("contracts-new"))
    token = browser.cookies["csrftoken"].value
    response = browser.post(url, {"attachment": upload("scan.pdf", PDF), "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and ContractAttachment.objects.count() == 1
