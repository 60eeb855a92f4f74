"""q2 may deliver one job to several workers at once: a message to a party goes out once."""

import pytest

from tests.concurrency.race import race
from workflow.models import PartyMessage
from workflow.notifications import party_message_send, party_tell

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SENT: list[tuple[str, str]] = []


class RecordingSmsBackend:
    def send(self, mobile, text):
        SENT.append((mobile, text))


def test_twenty_workers_sending_one_party_message_text_the_complainant_once(settings, monkeypatch):
    settings.GOVCREDIT_SMS_BACKEND = f"{__name__}.RecordingSmsBackend"
    monkeypatch.setattr("workflow.jobs.enqueue", lambda *args, **kwargs: None)  # queued, not run
    SENT.clear()
    party_tell(mobile="13812345678", subject="受理", text="您的投诉已受理。")
    message = PartyMessage.objects.get()
    outcomes = race(20, lambda i: party_message_send(message.pk))
    assert sorted(map(repr, outcomes)) == ["False"] * 19 + ["True"]
    assert SENT == [("13812345678", "您的投诉已受理。")]
    message.refresh_from_db()
    assert message.sent_at is not None
