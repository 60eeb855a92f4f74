import datetime as dt
import logging

import pytest
from django.core import mail
from django.db import transaction

from workflow import clock
from workflow.errors import NotFound
from workflow.models import Notification, User
from workflow.notifications import (
    mask_mobile,
    notification_email,
    notification_mark_read,
    notification_send,
    notifications_for_user,
    notifications_unread_count,
)

pytestmark = pytest.mark.django_db

SENT_SMS: list[tuple[str, str]] = []


class RecordingSmsBackend:
    def send(self, mobile, text):
        SENT_SMS.append((mobile, text))


@pytest.fixture
def people():
    return [
        User.objects.create_user("li", email="li@example.cn", mobile="13812345678"),
        User.objects.create_user("wang", email="wang@example.cn", mobile=""),
        User.objects.create_user("zhao", email="", mobile="13900001111"),
    ]


def test_send_creates_one_unread_row_per_recipient_at_clock_now(people, travel):
    travel("2026-10-08")
    rows = notification_send(
        recipients=[*people, people[0]], title="合同即将到期", body="请处理", link="/staff/contracts/1", category="c"
    )
    assert len(rows) == 3
    assert Notification.objects.count() == 3
    for row in Notification.objects.all():
        assert row.created_at == dt.datetime(2026, 10, 8, 10, tzinfo=clock.SHANGHAI)
        assert (row.title, row.body, row.link, row.category, row.read_at) == (
            "合同即将到期",
            "请处理",
            "/staff/contracts/1",
            "c",
            None,
        )


def test_dedupe_key_sends_once_ever_per_recipient(people):
    first = notification_send(recipients=people[:2], title="Payment due in 5 days", dedupe_key="due:42:5d")
    again = notification_send(recipients=people, title="Payment due in 5 days", dedupe_key="due:42:5d")
    assert len(first) == 2
    assert [n.recipient for n in again] == [people[2]]
    assert Notification.objects.filter(dedupe_key="due:42:5d").count() == 3
    assert notification_send(recipients=people, title="Payment due in 5 days", dedupe_key="due:42:5d") == []
    # Without a key nothing is deduplicated.
    notification_send(recipients=people[:1], title="x")
    notification_send(recipients=people[:1], title="x")
    assert Notification.objects.filter(recipient=people[0], dedupe_key__isnull=True).count() == 2


def test_email_goes_out_after_commit_once_and_only_to_addresses(people, django_capture_on_commit_callbacks, travel):
    travel("2026-10-08")
    with django_capture_on_commit_callbacks(execute=True):
        rows = notification_send(recipients=people, title="Rectification notice issued", link="/staff/cases/7")
        assert mail.outbox == []  # nothing before commit
    assert sorted(m.to[0] for m in mail.outbox) == ["li@example.cn", "wang@example.cn"]
    message = mail.outbox[0]
    assert message.subject == "Rectification notice issued"
    assert "http://127.0.0.1:8000/staff/cases/7" in message.body
    emailed = {n.recipient.username: n.emailed_at for n in Notification.objects.select_related("recipient")}
    assert emailed["li"] == dt.datetime(2026, 10, 8, 10, tzinfo=clock.SHANGHAI)
    assert emailed["zhao"] is None
    # The task is idempotent: running it again sends nothing more.
    assert notification_email(rows[0].pk) is False
    assert len(mail.outbox) == 2


def test_no_email_when_asked_not_to_or_when_rolled_back(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(recipients=people, title="in-app only", email=False)
    assert mail.outbox == []
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notification_send(recipients=people, title="never", dedupe_key="k")
        raise RuntimeError("the act failed")
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.filter(title="never").exists()


def test_sms_goes_through_the_configured_gateway(people, settings, django_capture_on_commit_callbacks):
    settings.GOVCREDIT_SMS_BACKEND = f"{__name__}.RecordingSmsBackend"
    SENT_SMS.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(recipients=people, title="申请已受理", link="/portal/repair/3", email=False, sms=True)
    assert sorted(SENT_SMS) == [
        ("13812345678", "申请已受理 http://127.0.0.1:8000/portal/repair/3"),
        ("13900001111", "申请已受理 http://127.0.0.1:8000/portal/repair/3"),
    ]


def test_default_sms_backend_only_logs_a_masked_number(people, caplog, django_capture_on_commit_callbacks):
    with (
        caplog.at_level(logging.INFO, logger="workflow.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notification_send(recipients=people[:1], title="您有新的通知", email=False, sms=True)
    assert "SMS to 138****5678: 您有新的通知" in caplog.messages
    assert "13812345678" not in caplog.text
    assert mask_mobile("13812345678") == "138****5678"


def test_mark_read_own_notification_only(people, travel):
    travel("2026-10-09")
    [mine] = notification_send(recipients=people[:1], title="t")
    [theirs] = notification_send(recipients=people[1:2], title="t")
    read = notification_mark_read(user=people[0], notification_id=mine.pk)
    assert read.read_at == dt.datetime(2026, 10, 9, 10, tzinfo=clock.SHANGHAI)
    travel("2026-10-10")
    assert notification_mark_read(user=people[0], notification_id=mine.pk).read_at == read.read_at
    with pytest.raises(NotFound) as excinfo:
        notification_mark_read(user=people[0], notification_id=theirs.pk)
    assert excinfo.value.http_status == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_selectors_newest_first_and_unread_count(people, travel):
    travel("2026-10-01")
    notification_send(recipients=people[:2], title="older")
    travel("2026-10-02")
    [newer] = notification_send(recipients=people[:1], title="newer")
    assert [n.title for n in notifications_for_user(people[0])] == ["newer", "older"]
    assert notifications_unread_count(people[0]) == 2
    notification_mark_read(user=people[0], notification_id=newer.pk)
    assert notifications_unread_count(people[0]) == 1
    assert notifications_unread_count(people[2]) == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_senders_with_one_dedupe_key_make_one_row_and_one_mail():
    import threading

    from django.db import connection

    user = User.objects.create_user("race", email="race@example.cn")
    barrier = threading.Barrier(4)
    errors = []

    def sender():
        try:
            barrier.wait()
            notification_send(recipients=[user], title="Overdue", dedupe_key="overdue:1")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert Notification.objects.filter(recipient=user, dedupe_key="overdue:1").count() == 1
    assert len(mail.outbox) == 1
