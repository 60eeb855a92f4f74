"""workflow.ratelimit (both backends) and workflow.auth.client_ip behind trusted proxies."""

import datetime as dt
import uuid

import pytest
from django.test import RequestFactory

from workflow import ratelimit
from workflow.auth import client_ip
from workflow.errors import RateLimited
from workflow.models import RateCounter

HOUR = dt.timedelta(hours=1)


def redis_backend(settings):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis at 127.0.0.1:6379 is not running")
    settings.GOVCREDIT_RATELIMIT_BACKEND = "redis"
    settings.REDIS_URL = url
    return ratelimit.backend()


@pytest.fixture(params=["db", "redis"])
def backend(request, settings, db):
    if request.param == "redis":
        return redis_backend(settings)
    settings.GOVCREDIT_RATELIMIT_BACKEND = "db"
    return ratelimit.backend()


def test_the_limit_counts_atomically_and_refuses_over_it_with_retry_after(backend, travel):
    travel("2026-09-14")
    key = f"test:{uuid.uuid4()}"
    counts = [ratelimit.limit(key, limit=3, window=HOUR, message="slow down").count for _ in range(3)]
    assert counts == [1, 2, 3]
    with pytest.raises(RateLimited) as refused:
        ratelimit.limit(key, limit=3, window=HOUR, message="slow down")
    assert refused.value.code == "rate_limited"
    assert refused.value.http_status == 429
    assert 3500 < refused.value.retry_after <= 3600
    assert ratelimit.peek(key).count == 4
    ratelimit.release(key)
    assert ratelimit.peek(key).count == 3
    ratelimit.reset(key)
    assert ratelimit.peek(key) is None
    assert ratelimit.hit(key, window=HOUR).count == 1


def test_extend_keeps_the_window_open_longer_never_shorter(backend, travel):
    travel("2026-09-14")
    key = f"test:{uuid.uuid4()}"
    first = ratelimit.hit(key, window=HOUR)
    ratelimit.extend(key, first.expires_at - dt.timedelta(minutes=30))
    assert ratelimit.peek(key).seconds_left() > 3500
    ratelimit.extend(key, first.expires_at + dt.timedelta(hours=2))
    assert ratelimit.peek(key).seconds_left() > 3 * 3600 - 100


def test_a_closed_window_starts_again_at_one(db, travel):
    travel("2026-09-14")
    for _ in range(5):
        ratelimit.hit("test:day", window=dt.timedelta(hours=12))
    assert RateCounter.objects.get(key="test:day").count == 5
    travel("2026-09-15")
    assert ratelimit.peek("test:day") is None
    assert ratelimit.hit("test:day", window=dt.timedelta(hours=12)).count == 1
    assert RateCounter.objects.filter(key="test:day").count() == 1


def request_from(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings):
    settings.GOVCREDIT_TRUSTED_PROXIES = 0
    assert client_ip(request_from("198.51.100.7", "1.2.3.4")) == "198.51.100.7"
    assert client_ip(request_from("not-an-ip")) is None
    assert client_ip(None) is None


def test_behind_one_proxy_the_address_nginx_saw(settings):
    settings.GOVCREDIT_TRUSTED_PROXIES = 1
    # The client forged the first entry; nginx appended the address it saw.
    assert client_ip(request_from("127.0.0.1", "6.6.6.6, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(request_from("127.0.0.1", "203.0.113.9")) == "203.0.113.9"
    assert client_ip(request_from("127.0.0.1")) == "127.0.0.1"  # no header: the proxy itself
    assert client_ip(request_from("127.0.0.1", "garbage")) == "127.0.0.1"


def test_behind_two_proxies_the_address_the_outer_one_saw(settings):
    settings.GOVCREDIT_TRUSTED_PROXIES = 2
    assert client_ip(request_from("10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.1")) == "203.0.113.9"
    assert client_ip(request_from("10.0.0.2", " 2001:db8::1 , 10.0.0.1")) == "2001:db8::1"


def test_the_sweep_deletes_closed_windows_only(db, travel, settings):
    from workflow.sweeps import sweep_run

    settings.GOVCREDIT_RATELIMIT_BACKEND = "db"
    travel("2026-09-14")
    ratelimit.hit("test:short", window=HOUR)
    ratelimit.hit("test:long", window=dt.timedelta(days=3))
    travel("2026-09-15")
    run = sweep_run(as_of=dt.date(2026, 9, 15))
    assert run.results["ratelimit.purge_expired"]["result"] == 1
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["test:long"]
