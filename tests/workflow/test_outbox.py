import datetime as dt
import io
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.db import transaction

from workflow import clock
from workflow.errors import Conflict, PermissionDenied
from workflow.models import AuditLog, Notification, OutboxMessage, User
from workflow.outbox import outbox_backoff, outbox_deliver, outbox_enqueue, outbox_flush, outbox_requeue

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 10, 8, 9, 0, tzinfo=clock.SHANGHAI)


class Receiver:
    """A real HTTP endpoint on 127.0.0.1 that records requests and fails the first `fail_first`."""

    def __init__(self, fail_first=0, fail_status=500, ok_status=200):
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.ok_status = ok_status
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                failing = len(receiver.requests) <= receiver.fail_first
                status = receiver.fail_status if failing else receiver.ok_status
                payload = b"platform unavailable" if failing else b"{}"
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/inbox"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver_factory(settings):
    made = []

    def make(**kwargs):
        receiver = Receiver(**kwargs)
        made.append(receiver)
        settings.GOVCREDIT_OUTBOX_DESTINATIONS = {
            "test_platform": {"backend": "workflow.outbox.HttpTransport", "url": receiver.url},
            "log_platform": {"backend": "workflow.outbox.LogTransport"},
        }
        return receiver

    yield make
    for receiver in made:
        receiver.close()


class FakeNow:
    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **kwargs):
        self.now += dt.timedelta(**kwargs)


@pytest.fixture
def now(monkeypatch):
    fake = FakeNow(T0)
    monkeypatch.setattr(clock, "now", fake)
    return fake


@pytest.fixture
def supervisor():
    call_command("seed_demo", stdout=io.StringIO())
    return User.objects.get(username="supervisor")


def enqueue(capture, key="repair:17:stop-sharing", destination="test_platform"):
    with capture(execute=True), transaction.atomic():
        return outbox_enqueue(
            destination=destination,
            topic="repair.decided",
            payload={"case": 17, "uscc": "91410100AY4CL12THU", "decided_on": dt.date(2026, 10, 8)},
            idempotency_key=key,
        )


def fetch(message):
    return OutboxMessage.objects.get(pk=message.pk)


def test_delivered_after_commit_with_idempotency_key_and_json(
    receiver_factory, now, django_capture_on_commit_callbacks
):
    receiver = receiver_factory()
    message = enqueue(django_capture_on_commit_callbacks)
    message = fetch(message)
    assert message.status == OutboxMessage.Status.DELIVERED
    assert message.delivered_at == T0
    assert message.attempts == 0
    [request] = receiver.requests
    assert request["path"] == "/inbox"
    assert request["headers"]["Idempotency-Key"] == "repair:17:stop-sharing"
    assert request["headers"]["Content-Type"] == "application/json"
    assert json.loads(request["body"]) == {"case": 17, "uscc": "91410100AY4CL12THU", "decided_on": "2026-10-08"}


def test_failures_back_off_1_2_4_minutes_with_the_same_key_then_deliver(
    receiver_factory, now, django_capture_on_commit_callbacks
):
    receiver = receiver_factory(fail_first=3)
    message = enqueue(django_capture_on_commit_callbacks)  # attempt 1 on commit: fails
    m = fetch(message)
    assert (m.status, m.attempts, m.next_attempt_at) == ("pending", 1, T0 + dt.timedelta(minutes=1))
    assert m.last_error == "HTTP 500: platform unavailable"

    now.advance(seconds=59)
    assert outbox_flush() == {"delivered": 0, "retry": 0, "dead": 0, "skipped": 0}  # not due yet
    assert len(receiver.requests) == 1

    now.advance(seconds=1)  # T0 + 1 min
    assert outbox_flush()["retry"] == 1
    assert fetch(message).next_attempt_at == T0 + dt.timedelta(minutes=1 + 2)

    now.advance(minutes=2)  # T0 + 3 min
    assert outbox_flush()["retry"] == 1
    m = fetch(message)
    assert (m.attempts, m.next_attempt_at) == (3, T0 + dt.timedelta(minutes=3 + 4))

    now.advance(minutes=4)  # T0 + 7 min
    assert outbox_flush()["delivered"] == 1
    m = fetch(message)
    assert (m.status, m.attempts, m.delivered_at) == ("delivered", 3, T0 + dt.timedelta(minutes=7))
    assert len(receiver.requests) == 4
    assert {r["headers"]["Idempotency-Key"] for r in receiver.requests} == {"repair:17:stop-sharing"}
    assert len({r["body"] for r in receiver.requests}) == 1


def test_backoff_doubles_and_is_capped_at_six_hours():
    assert [outbox_backoff(n) for n in range(1, 6)] == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]
    assert outbox_backoff(9) == dt.timedelta(minutes=256)
    assert outbox_backoff(10) == dt.timedelta(hours=6)
    assert outbox_backoff(60) == dt.timedelta(hours=6)


def test_gives_up_after_max_attempts_and_tells_supervisors(
    receiver_factory, now, settings, supervisor, django_capture_on_commit_callbacks
):
    settings.GOVCREDIT_OUTBOX_MAX_ATTEMPTS = 3
    receiver = receiver_factory(fail_first=100, fail_status=503)
    message = enqueue(django_capture_on_commit_callbacks)
    now.advance(minutes=1)
    outbox_flush()
    now.advance(minutes=2)
    assert outbox_flush()["dead"] == 1
    m = fetch(message)
    assert (m.status, m.attempts, m.last_error) == ("dead", 3, "HTTP 503: platform unavailable")
    [note] = Notification.objects.filter(category="outbox")
    assert note.recipient == supervisor
    assert "test_platform" in note.title and "repair.decided" in note.title
    assert "repair:17:stop-sharing" in note.body
    # A dead message is never tried again by the schedule.
    now.advance(hours=7)
    assert outbox_flush() == {"delivered": 0, "retry": 0, "dead": 0, "skipped": 0}
    assert outbox_deliver(message.pk) == "skipped"
    assert len(receiver.requests) == 3


def test_409_means_the_receiver_already_has_it(receiver_factory, now, django_capture_on_commit_callbacks):
    receiver_factory(fail_first=1, fail_status=409)
    message = enqueue(django_capture_on_commit_callbacks)
    assert fetch(message).status == "delivered"


def test_connection_refused_is_a_failed_attempt(settings, now, django_capture_on_commit_callbacks):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.GOVCREDIT_OUTBOX_DESTINATIONS = {
        "test_platform": {"backend": "workflow.outbox.HttpTransport", "url": f"http://127.0.0.1:{port}/"}
    }
    message = enqueue(django_capture_on_commit_callbacks)
    m = fetch(message)
    assert (m.status, m.attempts) == ("pending", 1)
    assert "Connection refused" in m.last_error or "URLError" in m.last_error


def test_rolled_back_transaction_leaves_no_message_and_no_delivery(
    receiver_factory, now, django_capture_on_commit_callbacks
):
    receiver = receiver_factory()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox_enqueue(destination="test_platform", topic="t", payload={}, idempotency_key="rolled-back")
        raise RuntimeError("the decision failed")
    assert callbacks == []
    assert not OutboxMessage.objects.filter(idempotency_key="rolled-back").exists()
    now.advance(hours=1)
    outbox_flush()
    assert receiver.requests == []


def test_enqueue_is_idempotent_on_the_key(receiver_factory, now, django_capture_on_commit_callbacks):
    receiver = receiver_factory()
    first = enqueue(django_capture_on_commit_callbacks)
    second = enqueue(django_capture_on_commit_callbacks)
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1
    assert len(receiver.requests) == 1
    # Running the delivery task again is harmless.
    assert outbox_deliver(first.pk) == "skipped"
    assert len(receiver.requests) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_enqueue_outside_a_transaction_is_refused(receiver_factory):
    receiver_factory()
    with pytest.raises(RuntimeError, match="inside the transaction"):
        outbox_enqueue(destination="test_platform", topic="t", payload={}, idempotency_key="k")
    assert OutboxMessage.objects.count() == 0


def test_log_transport_delivers(receiver_factory, now, caplog, django_capture_on_commit_callbacks):
    receiver_factory()
    with caplog.at_level("INFO", logger="workflow.outbox"):
        message = enqueue(django_capture_on_commit_callbacks, destination="log_platform")
    assert fetch(message).status == "delivered"
    assert any("log_platform" in line and "repair:17:stop-sharing" in line for line in caplog.messages)


def test_requeue_dead_message_by_supervisor(
    receiver_factory, now, settings, supervisor, django_capture_on_commit_callbacks
):
    settings.GOVCREDIT_OUTBOX_MAX_ATTEMPTS = 1
    receiver = receiver_factory(fail_first=1)
    message = enqueue(django_capture_on_commit_callbacks)
    assert fetch(message).status == "dead"

    clerk = User.objects.get(username="agency_clerk")
    with pytest.raises(PermissionDenied):
        outbox_requeue(message=message, acting_user=clerk)

    now.advance(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        outbox_requeue(message=message, acting_user=supervisor)
    m = fetch(message)
    assert (m.status, m.delivered_at) == ("delivered", T0 + dt.timedelta(hours=2))
    assert len(receiver.requests) == 2
    [entry] = AuditLog.objects.filter(action="outbox.requeue")
    assert (entry.actor, entry.from_state, entry.to_state, entry.object_id) == (
        supervisor,
        "dead",
        "pending",
        str(message.pk),
    )
    with pytest.raises(Conflict):
        outbox_requeue(message=m, acting_user=supervisor)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_deliveries_send_once(receiver_factory):
    from django.db import connection

    receiver = receiver_factory()
    message = OutboxMessage.objects.create(
        destination="test_platform",
        topic="t",
        payload={"n": 1},
        idempotency_key="race",
        next_attempt_at=clock.now(),
        created_at=clock.now(),
    )
    barrier = threading.Barrier(2)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(outbox_deliver(message.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == ["delivered", "skipped"]
    assert len(receiver.requests) == 1
