"""Production settings pass `check --deploy`; gunicorn recycles workers by requests and by memory."""

from __future__ import annotations

import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def production_environment(**overrides: str) -> dict[str, str]:
    """The README's production environment (Deployment section)."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "SESSION_", "CSRF_", "DJANGO_", "GOVCREDIT_"))
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(48),  # 64 characters
            "DATABASE_URL": "postgres://govcredit:secret@db.invalid:5432/govcredit",
            "REDIS_URL": "redis://redis.invalid:6379/0",
            "ALLOWED_HOSTS": "credit.example.gov.cn",
            "CSRF_TRUSTED_ORIGINS": "https://credit.example.gov.cn",
            "GOVCREDIT_PUBLIC_URL": "https://credit.example.gov.cn",
            "PRIVATE_MEDIA_ROOT": "/srv/govcredit/private",
        }
    )
    environment.update(overrides)
    return environment


def check_deploy(environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_prints_no_warning_with_the_readme_environment():
    result = check_deploy(production_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_check_deploy_warns_when_the_environment_turns_https_off():
    """The check is not vacuous: turning the flags off brings the warnings back."""
    result = check_deploy(production_environment(SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="0"))
    assert result.returncode == 1
    assert "security.W004" in result.stderr + result.stdout
    assert "security.W008" in result.stderr + result.stdout


def test_production_refuses_a_weak_secret_key():
    result = check_deploy(production_environment(SECRET_KEY="change-me"))
    assert result.returncode == 1
    assert "production settings need a real SECRET_KEY" in result.stderr


@pytest.fixture(scope="module")
def gunicorn_conf():
    return runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))


def test_gunicorn_recycles_workers_after_a_bounded_number_of_requests(gunicorn_conf):
    assert gunicorn_conf["max_requests"] == 1000
    assert 0 < gunicorn_conf["max_requests_jitter"] < gunicorn_conf["max_requests"]
    assert gunicorn_conf["timeout"] == 30
    assert gunicorn_conf["workers"] >= 2


def worker() -> SimpleNamespace:
    return SimpleNamespace(alive=True, pid=4242)


def test_a_worker_above_the_memory_bound_finishes_and_exits(gunicorn_conf):
    post_request = gunicorn_conf["post_request"]
    post_request.__globals__["WORKER_MAX_RSS_MB"] = 1  # this test process uses far more than 1 MB
    retired = worker()
    post_request(retired, SimpleNamespace(method="GET", path="/staff/"), {}, None)
    assert retired.alive is False


def test_a_worker_below_the_memory_bound_stays(gunicorn_conf):
    post_request = gunicorn_conf["post_request"]
    used = gunicorn_conf["rss_mb"]()
    assert 10 < used < 4096  # measured from /proc/self/statm, in MB
    post_request.__globals__["WORKER_MAX_RSS_MB"] = int(used) + 1024
    kept = worker()
    post_request(kept, SimpleNamespace(method="GET", path="/staff/"), {}, None)
    assert kept.alive is True
    post_request.__globals__["WORKER_MAX_RSS_MB"] = 0  # 0 turns the bound off
    post_request(kept, SimpleNamespace(method="GET", path="/staff/"), {}, None)
    assert kept.alive is True


def test_the_memory_bound_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("GOVCREDIT_WORKER_MAX_RSS_MB", "300")
    assert runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))["WORKER_MAX_RSS_MB"] == 300
