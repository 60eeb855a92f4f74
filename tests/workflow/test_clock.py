import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone

from workflow import clock

ROOT = Path(__file__).resolve().parents[2]


def test_override_moves_today_to_ten_o_clock_shanghai(travel):
    travel("2026-10-08")
    assert clock.today() == dt.date(2026, 10, 8)
    assert clock.now() == dt.datetime(2026, 10, 8, 2, 0, tzinfo=dt.UTC)  # 10:00 in Asia/Shanghai
    assert clock.is_overridden()


@override_settings(GOVCREDIT_ALLOW_CLOCK_OVERRIDE=False)
def test_override_is_ignored_unless_allowed(travel):
    travel("2020-01-01")
    assert clock.today() != dt.date(2020, 1, 1)
    assert not clock.is_overridden()


def test_today_is_the_date_in_shanghai_not_utc(monkeypatch):
    monkeypatch.delenv("GOVCREDIT_TODAY", raising=False)
    late_utc = dt.datetime(2026, 11, 21, 17, 30, tzinfo=dt.UTC)  # 01:30 on the 22nd in Shanghai
    monkeypatch.setattr(timezone, "now", lambda: late_utc)
    assert clock.today() == dt.date(2026, 11, 22)


def _import_production(env_extra):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    env.update(env_extra)
    code = "import config.settings.production as p; print(p.GOVCREDIT_ALLOW_CLOCK_OVERRIDE, p.DEBUG)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)


def test_production_refuses_to_start_without_a_real_secret_key():
    result = _import_production({})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_never_travels_in_time():
    result = _import_production(
        {"SECRET_KEY": "k" * 50, "GOVCREDIT_ALLOW_CLOCK_OVERRIDE": "true", "GOVCREDIT_TODAY": "2030-01-01"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False False"


@pytest.mark.parametrize("bad", ["2026-13-01", "tomorrow"])
def test_a_malformed_override_is_a_configuration_error(travel, bad):
    from django.core.exceptions import ImproperlyConfigured

    travel(bad)
    with pytest.raises(ImproperlyConfigured):
        clock.today()


def test_a_demo_may_travel_only_where_the_clock_may_move(settings, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.delenv("GOVCREDIT_TODAY", raising=False)
    settings.GOVCREDIT_ALLOW_CLOCK_OVERRIDE = True
    with clock.travelling(dt.date(2026, 8, 22)):
        assert clock.today() == dt.date(2026, 8, 22)
    assert "GOVCREDIT_TODAY" not in os.environ
    settings.GOVCREDIT_ALLOW_CLOCK_OVERRIDE = False
    with pytest.raises(ImproperlyConfigured), clock.travelling(dt.date(2026, 8, 22)):
        pass
