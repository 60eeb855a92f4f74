"""The admin: rule edits keep history, calendar edits go through services, logs stay read-only."""

import datetime as dt
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from workflow.models import AuditLog, HolidayOverride, OutboxMessage, Rule, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser("root", "root@example.org", "root-pass-2026")
    client.force_login(user)
    client.user = user
    return client


def _rule_post_data(rule: Rule, **overrides) -> dict:
    data = {
        "title": rule.title,
        "amount": "" if rule.amount is None else rule.amount,
        "ceiling": "" if rule.ceiling is None else rule.ceiling,
        "rate": "" if rule.rate is None else rule.rate,
        "params": json.dumps(rule.params),
        "basis_document": rule.basis_document,
        "basis_article": rule.basis_article,
        "note": rule.note,
        "effective_from": rule.effective_from.isoformat(),
        "effective_to": rule.effective_to.isoformat() if rule.effective_to else "",
    }
    if rule.local_policy:
        data["local_policy"] = "on"
    if rule.verified:
        data["verified"] = "on"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_rule_edit_in_admin_goes_through_rule_update_with_history(admin_client):
    rule = Rule.objects.filter(verified=False).order_by("pk").first()
    assert rule is not None, "the seeded rules include unverified ones"
    old_amount = rule.amount
    url = reverse("admin:workflow_rule_change", args=[rule.pk])
    assert admin_client.get(url).status_code == 200

    data = _rule_post_data(rule, amount=old_amount + 5, verified="on", change_reason="对照条例原文核实")
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    rule.refresh_from_db()
    assert rule.amount == old_amount + 5
    assert rule.verified is True
    assert rule.updated_by == admin_client.user
    entry = AuditLog.objects.get(action="rule.update", object_id=str(rule.pk))
    assert entry.actor == admin_client.user
    assert entry.reason == "对照条例原文核实"
    assert entry.changes["amount"] == [str(old_amount), str(old_amount + 5)]
    assert entry.changes["verified"] == ["False", "True"]
    assert set(entry.changes) == {"amount", "verified"}
    assert entry.content_type == ContentType.objects.get_for_model(Rule)

    # The change page shows the history.
    html = admin_client.get(url).content.decode()
    assert "对照条例原文核实" in html
    assert f"amount: {old_amount} → {old_amount + 5}" in html


def test_rule_edit_needs_a_reason_and_code_is_not_editable(admin_client):
    rule = Rule.objects.order_by("pk").first()
    url = reverse("admin:workflow_rule_change", args=[rule.pk])
    response = admin_client.post(url, _rule_post_data(rule, title="改了", code="other.code"))
    assert response.status_code == 200  # form redisplayed: the reason is required
    rule.refresh_from_db()
    assert rule.title != "改了"
    assert not AuditLog.objects.filter(action="rule.update").exists()

    response = admin_client.post(url, _rule_post_data(rule, code="other.code", change_reason="仅保存"))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.code != "other.code"
    assert not AuditLog.objects.filter(action="rule.update").exists()  # nothing changed, nothing recorded


def test_rules_cannot_be_added_or_deleted_in_admin(admin_client):
    rule = Rule.objects.order_by("pk").first()
    assert admin_client.get(reverse("admin:workflow_rule_add")).status_code == 403
    assert admin_client.get(reverse("admin:workflow_rule_delete", args=[rule.pk])).status_code == 403


def test_rule_changelist_flags_unverified(admin_client):
    html = admin_client.get(reverse("admin:workflow_rule_changelist") + "?verified__exact=0").content.decode()
    assert "未核实" in html


def test_audit_log_admin_is_read_only(admin_client):
    rule = Rule.objects.order_by("pk").first()
    from django.db import transaction

    from workflow.rules import rule_update

    with transaction.atomic():
        rule_update(rule=rule, data={"note": "x"}, acting_user=admin_client.user, reason="test")
    entry = AuditLog.objects.get()

    assert admin_client.get(reverse("admin:workflow_auditlog_changelist")).status_code == 200
    change_url = reverse("admin:workflow_auditlog_change", args=[entry.pk])
    page = admin_client.get(change_url)
    assert page.status_code == 200  # viewable
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.post(change_url, {"action": "tampered"}).status_code == 403
    assert admin_client.get(reverse("admin:workflow_auditlog_delete", args=[entry.pk])).status_code == 403
    assert (
        admin_client.post(reverse("admin:workflow_auditlog_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert admin_client.get(reverse("admin:workflow_auditlog_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:workflow_auditlog_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert AuditLog.objects.filter(pk=entry.pk).exists()
    entry.refresh_from_db()
    assert entry.action == "rule.update"
    assert response.status_code in (200, 302)


def test_holiday_override_admin_goes_through_service(admin_client):
    response = admin_client.post(
        reverse("admin:workflow_holidayoverride_add"),
        {"day": "2026-12-31", "is_workday": "", "name": "测试休息日", "notice": "测试通知"},
    )
    assert response.status_code == 302
    override = HolidayOverride.objects.get(day=dt.date(2026, 12, 31))
    assert override.updated_by == admin_client.user
    assert AuditLog.objects.filter(action="calendar.override_set", object_id=str(override.pk)).count() == 1

    response = admin_client.post(reverse("admin:workflow_holidayoverride_delete", args=[override.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not HolidayOverride.objects.exists()
    assert AuditLog.objects.filter(action="calendar.override_delete").count() == 1


def test_calendar_year_admin_declares_through_service(admin_client):
    response = admin_client.post(
        reverse("admin:workflow_calendaryear_add"), {"year": "2027", "notice": "国办发明电〔2026〕7号"}
    )
    assert response.status_code == 302
    assert AuditLog.objects.filter(action="calendar.year_declare").count() == 1


def test_outbox_requeue_action(admin_client):
    now = timezone.now()
    message = OutboxMessage.objects.create(
        destination="city_credit_platform",
        topic="repair.decided",
        payload={"id": 1},
        idempotency_key="repair.decided:1",
        status=OutboxMessage.Status.DEAD,
        attempts=8,
        next_attempt_at=now,
        created_at=now,
        last_error="HTTP 500",
    )
    response = admin_client.post(
        reverse("admin:workflow_outboxmessage_changelist"),
        {"action": "requeue", "_selected_action": [message.pk]},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status in (OutboxMessage.Status.PENDING, OutboxMessage.Status.DELIVERED)
    assert AuditLog.objects.filter(action="outbox.requeue", object_id=str(message.pk)).exists()


def test_every_admin_changelist_and_add_page_renders(admin_client):
    from django.contrib import admin

    for model in admin.site._registry:
        if model._meta.app_label != "workflow":
            continue
        info = (model._meta.app_label, model._meta.model_name)
        assert admin_client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200, info
        assert admin_client.get(reverse("admin:{}_{}_add".format(*info))).status_code in (200, 403), info


def test_user_admin_shows_organisation_fields(admin_client):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    user = User.objects.get(username="agency_clerk")
    html = admin_client.get(reverse("admin:workflow_user_change", args=[user.pk])).content.decode()
    assert 'name="agency"' in html
    assert 'name="mobile"' in html
    changelist = admin_client.get(reverse("admin:workflow_user_changelist")).content.decode()
    assert "X市交通运输局" in changelist


def test_rule_edit_colliding_with_another_version_is_a_form_error(admin_client):
    versions = list(Rule.objects.filter(code="sme.pay.government").order_by("effective_from"))
    assert len(versions) == 2
    older, newer = versions
    url = reverse("admin:workflow_rule_change", args=[older.pk])
    data = _rule_post_data(
        older,
        effective_from=newer.effective_from.isoformat(),
        effective_to="",
        change_reason="collide",
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    older.refresh_from_db()
    assert older.effective_from != newer.effective_from
    assert not AuditLog.objects.filter(action="rule.update").exists()
