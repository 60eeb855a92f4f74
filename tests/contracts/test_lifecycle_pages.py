"""Lifecycle steps on pages: fulfil, terminate, waive (confirmation + reason), publication with the
redaction review, the arrears ledger with repayment plans, and opening a disposal from a page.
Who sees each button, who is refused, and that bad input writes nothing."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from contracts.models import ArrearsCase, Contract, ContractPublication, Milestone, RepaymentInstalment
from workflow.models import AuditLog, User

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db, monkeypatch):
    """Agencies, enterprises and users only (no demo contracts: these tests count rows)."""
    from django.core.management import call_command

    monkeypatch.setattr("contracts.demo.seed", lambda stdout=None: "skipped in these tests")
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def as_user(client, demo):
    def _as(username):
        client.force_login(User.objects.get(username=username))
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return _as


def text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def overdue(make_contract, clerk, travel, sweep):
    """A payment of 100,000.00 due 2026-10-08, unpaid; the sweep of 2026-10-09 raised its warning
    and opened the arrears case."""
    from contracts.services import milestone_record_delivery

    contract = make_contract()
    travel("2026-09-02")
    milestone_record_delivery(
        milestone=contract.milestones.get(kind="payment"), delivered_on=D(2026, 9, 2), acting_user=clerk
    )
    sweep(D(2026, 10, 9))
    travel("2026-10-19")
    return contract


# --- fulfil, terminate, waive ---------------------------------------------------------------------


def test_closing_buttons_show_for_the_agencys_staff_only(overdue, as_user):
    url = reverse("contracts-detail", args=[overdue.pk])
    html = as_user("agency_clerk").get(url).content.decode()
    assert 'id="go-fulfil"' in html and 'id="go-terminate"' in html and 'id="go-publication"' in html
    assert reverse("contracts-waive", args=[overdue.pk, overdue.milestones.get(kind="delivery").pk]) in html
    assert 'id="go-disposal"' not in html  # opening a disposal is the credit office's step
    html = as_user("supervisor").get(url).content.decode()
    assert 'id="go-fulfil"' not in html and 'id="go-terminate"' not in html and "/waive/" not in html
    assert f"{reverse('contracts-disposal-new')}?contract={overdue.pk}" in html


@pytest.mark.parametrize("name", ["contracts-fulfil", "contracts-terminate"])
def test_closing_steps_are_refused_to_other_roles(overdue, as_user, name):
    url = reverse(name, args=[overdue.pk])
    assert as_user("supervisor").post(url, {"reason": "x"}).status_code == 403
    assert as_user("agency_clerk2").post(url, {"reason": "x"}).status_code == 404
    assert as_user("enterprise_user").get(url).status_code in (403, 404)
    overdue.refresh_from_db()
    assert overdue.status == Contract.Status.PERFORMING


def test_waive_is_refused_to_other_roles(overdue, as_user):
    delivery = overdue.milestones.get(kind="delivery")
    url = reverse("contracts-waive", args=[overdue.pk, delivery.pk])
    assert as_user("supervisor").post(url, {"reason": "x"}).status_code == 403
    assert as_user("agency_clerk2").post(url, {"reason": "x"}).status_code == 404
    # A milestone of another contract is not found through this one.
    assert as_user("agency_clerk").get(reverse("contracts-waive", args=[overdue.pk, 999999])).status_code == 404
    delivery.refresh_from_db()
    assert delivery.status != Milestone.Status.WAIVED
    assert not AuditLog.objects.filter(action="milestone.waive").exists()


def test_terminate_asks_for_confirmation_and_a_reason(overdue, as_user):
    clerk = as_user("agency_clerk")
    url = reverse("contracts-terminate", args=[overdue.pk])
    page = clerk.get(url)
    assert page.status_code == 200 and "Payments already owed stay owed" in text(page)
    refused = clerk.post(url, {"reason": "   "})
    assert refused.status_code == 200
    assert refused.context["form"].errors["reason"] == ["Give the reason."]
    overdue.refresh_from_db()
    assert overdue.status == Contract.Status.PERFORMING
    assert not AuditLog.objects.filter(action="contract.terminate").exists()

    done = clerk.post(url, {"reason": "对方企业注销，双方协商解除"}, follow=True)
    overdue.refresh_from_db()
    assert overdue.status == Contract.Status.TERMINATED
    assert f"Contract {overdue.number} terminated." in text(done)
    assert AuditLog.objects.get(action="contract.terminate").reason == "对方企业注销，双方协商解除"
    # Payments already owed stay in the ledger.
    assert ArrearsCase.objects.filter(contract=overdue).count() == 1
    assert 'id="go-terminate"' not in done.content.decode()


def test_waive_then_fulfil(make_contract, as_user, clerk):
    contract = make_contract(
        milestones=[{"kind": "delivery", "title": "第一批交付", "amount": None, "planned_on": D(2026, 9, 1)}]
    )
    delivery = contract.milestones.get()
    client = as_user("agency_clerk")
    fulfil = reverse("contracts-fulfil", args=[contract.pk])
    page = client.get(fulfil)
    assert "第一批交付" in text(page)  # the open milestone is listed on the confirmation
    refused = client.post(fulfil, {"reason": "履约完毕"})
    assert "1 milestone(s) are still open" in text(refused)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.REGISTERED

    waive = reverse("contracts-waive", args=[contract.pk, delivery.pk])
    assert client.post(waive, {"reason": ""}).context["form"].errors["reason"] == ["Give the reason."]
    delivery.refresh_from_db()
    assert delivery.status != Milestone.Status.WAIVED
    response = client.post(waive, {"reason": "采购需求取消"})
    assert response.status_code == 302 and response.url.endswith(f"#milestone-{delivery.pk}")
    delivery.refresh_from_db()
    assert delivery.status == Milestone.Status.WAIVED

    assert client.post(fulfil, {"reason": ""}).context["form"].errors["reason"] == ["Give the reason."]
    client.post(fulfil, {"reason": "全部节点已完成"})
    contract.refresh_from_db()
    assert contract.status == Contract.Status.FULFILLED
    assert AuditLog.objects.get(action="contract.fulfil").reason == "全部节点已完成"


# --- publication ----------------------------------------------------------------------------------


def test_clerk_reviews_head_publishes_with_confirmation(overdue, as_user):
    url = reverse("contracts-publication", args=[overdue.pk])
    clerk = as_user("agency_clerk")
    page = clerk.get(url)
    assert page.status_code == 200 and 'id="do-publish"' not in page.content.decode()
    # Withholding a part needs the reason; nothing is written without it.
    refused = clerk.post(url, {"action": "review", "redacted": ["amount"], "review_note": ""})
    assert refused.status_code == 200 and refused.context["review_form"].errors["review_note"]
    assert not ContractPublication.objects.exists()
    clerk.post(url, {"action": "review", "redacted": ["amount"], "review_note": "报价属商业秘密"})
    publication = ContractPublication.objects.get(contract=overdue)
    assert (publication.redacted, publication.status) == (["amount"], "pending")
    # The clerk may not publish.
    assert clerk.post(url, {"action": "publish", "confirm": "on"}).status_code == 403
    publication.refresh_from_db()
    assert publication.status == "pending"

    head = as_user("agency_head")
    page = head.get(url)
    html = page.content.decode()
    assert 'id="do-publish"' in html
    row = re.search(r'<tr class="is-withheld">.*?</tr>', html, re.S).group(0)
    assert "300,000.00" in row and "withheld" in row
    unconfirmed = head.post(url, {"action": "publish"})
    assert unconfirmed.context["publish_form"].errors["confirm"] == [
        "Confirm that you have checked what the public will see."
    ]
    publication.refresh_from_db()
    assert publication.status == "pending"
    head.post(url, {"action": "publish", "confirm": "on"})
    publication.refresh_from_db()
    assert publication.status == "published"

    assert head.post(url, {"action": "withdraw", "reason": ""}).context["withdraw_form"].errors["reason"]
    publication.refresh_from_db()
    assert publication.status == "published"


def test_publication_page_scoped(overdue, as_user):
    url = reverse("contracts-publication", args=[overdue.pk])
    assert as_user("agency_clerk2").get(url).status_code == 404
    assert as_user("window_clerk").get(url).status_code in (403, 404)


# --- arrears ledger -------------------------------------------------------------------------------


def test_ledger_figures_and_scope(overdue, as_user):
    case = ArrearsCase.objects.get(contract=overdue)
    for user in ("supervisor", "agency_clerk", "agency_head"):
        page = as_user(user).get(reverse("contracts-arrears"))
        assert page.status_code == 200
        body = text(page)
        assert overdue.number in body
        totals = page.context["totals"]
        # 100,000.00 owed since 2026-10-08; 11 days at 0.05 % a day on 2026-10-19.
        assert (totals["owed"], totals["repaid"], str(totals["interest"])) == (case.owed, 0, "550.00")
        assert (totals["resolution_rate"], totals["repayment_rate"]) == ("0.0%", "0.0%")
    other = as_user("agency_clerk2").get(reverse("contracts-arrears"))
    assert other.status_code == 200 and overdue.number not in text(other)
    assert as_user("agency_clerk2").get(reverse("contracts-arrears-case", args=[case.pk])).status_code == 404
    assert as_user("enterprise_user").get(reverse("contracts-arrears")).status_code == 403


def _plan(rows):
    data = {"action": "plan", "plan-TOTAL_FORMS": "6", "plan-INITIAL_FORMS": "0"}
    for i, (due, amount) in enumerate(rows):
        data[f"plan-{i}-due_on"], data[f"plan-{i}-amount"] = due, amount
    return data


def test_repayment_plan_and_repayment_on_the_page(overdue, as_user):
    case = ArrearsCase.objects.get(contract=overdue)
    url = reverse("contracts-arrears-case", args=[case.pk])
    assert as_user("supervisor").post(url, _plan([("2026-11-30", "100000.00")])).status_code == 403
    head = as_user("agency_head")
    short = head.post(url, _plan([("2026-11-30", "60000.00"), ("2026-12-31", "30000.00")]))
    assert short.status_code == 200
    assert "The instalments must add up to the 100000.00 still owed." in text(short)
    past = head.post(url, _plan([("2026-10-01", "100000.00")]))
    assert "An instalment cannot fall due in the past." in text(past)
    assert not RepaymentInstalment.objects.exists()

    done = head.post(url, _plan([("2026-11-30", "60000.00"), ("2026-12-31", "40000.00")]), follow=True)
    assert "Repayment plan recorded." in text(done)
    assert list(case.instalments.order_by("due_on").values_list("due_on", "amount")) == [
        (D(2026, 11, 30), 60000),
        (D(2026, 12, 31), 40000),
    ]
    case.refresh_from_db()
    assert case.status == ArrearsCase.Status.IN_REPAYMENT

    too_much = head.post(url, {"action": "repay", "amount": "150000.00", "paid_on": "2026-10-19"})
    assert "more than the 100000.00 still outstanding" in text(too_much)
    head.post(url, {"action": "repay", "amount": "60000.00", "paid_on": "2026-10-19"})
    case.refresh_from_db()
    assert case.repaid == 60000
    ledger = head.get(reverse("contracts-arrears"))
    assert ledger.context["totals"]["repayment_rate"] == "60.0%"


# --- disposal from a page ------------------------------------------------------------------------


def test_new_disposal_without_a_contract_shows_a_picker(overdue, as_user):
    url = reverse("contracts-disposal-new")
    page = as_user("supervisor").get(url)
    assert page.status_code == 200
    assert f"?contract={overdue.pk}" in page.content.decode() and overdue.number in text(page)
    assert overdue.number not in text(as_user("supervisor").get(url, {"q": "no-such-contract"}))
    assert as_user("agency_clerk").get(url).status_code == 403
    chosen = as_user("supervisor").get(url, {"contract": overdue.pk})
    assert chosen.status_code == 200 and "form" in chosen.context


def test_warnings_list_offers_disposal_to_supervisors_only(overdue, as_user):
    url = reverse("contracts-warnings")
    assert (
        f"{reverse('contracts-disposal-new')}?contract={overdue.pk}" in as_user("supervisor").get(url).content.decode()
    )
    assert reverse("contracts-disposal-new") not in as_user("agency_clerk").get(url).content.decode()


# --- escalation (提请督办) opens a supervisor task ------------------------------------------------


def _escalate(as_user, overdue):
    from contracts.models import Warning

    warning = Warning.objects.get(contract=overdue, rule="payment.overdue")
    url = reverse("contracts-warning-action", args=[warning.pk])
    as_user("agency_clerk").post(url, {"action": "escalate", "note": "财政资金未到位，请求督办"})
    warning.refresh_from_db()
    assert warning.status == "escalated"
    return warning


def test_escalation_gives_the_supervisor_a_task_closed_with_an_opinion(overdue, as_user):
    warning = _escalate(as_user, overdue)
    page = reverse("contracts-escalation", args=[warning.pk])
    inbox = as_user("supervisor").get(reverse("staff-inbox"))
    assert "Handle the escalated warning" in text(inbox) and page in inbox.content.decode()
    # Not the clerk's task, nor another agency's business.
    assert "Handle the escalated warning" not in text(as_user("agency_clerk").get(reverse("staff-inbox")))
    assert as_user("agency_clerk").post(page, {"note": "x"}).status_code == 403
    assert as_user("agency_clerk2").get(page).status_code == 404

    supervisor = as_user("supervisor")
    shown = supervisor.get(page)
    assert "财政资金未到位，请求督办" in text(shown) and 'id="escalation-disposal"' in shown.content.decode()
    refused = supervisor.post(page, {"note": " "})
    assert refused.context["form"].errors["note"] == ["Give the credit office's opinion."]
    assert not AuditLog.objects.filter(action="warning.escalation_close").exists()
    done = supervisor.post(page, {"note": "已约谈财政局，资金下月到位"}, follow=True)
    assert "Handled: closed by the credit office with its opinion." in text(done)
    assert AuditLog.objects.get(action="warning.escalation_close").reason == "已约谈财政局，资金下月到位"
    assert "Handle the escalated warning" not in text(supervisor.get(reverse("staff-inbox")))


def test_opening_a_disposal_answers_the_escalation(overdue, as_user):
    from contracts.models import DisposalCase

    warning = _escalate(as_user, overdue)
    supervisor = as_user("supervisor")
    url = f"{reverse('contracts-disposal-new')}?contract={overdue.pk}&warning={warning.pk}"
    response = supervisor.post(url, {"grounds": "逾期支付中小企业款项", "rectification_days": "15"})
    assert response.status_code == 302
    case = DisposalCase.objects.get(contract=overdue)
    assert case.warning_id == warning.pk
    page = supervisor.get(reverse("contracts-escalation", args=[warning.pk]))
    assert "Handled: a disposal was opened." in text(page)
    assert "Handle the escalated warning" not in text(supervisor.get(reverse("staff-inbox")))
