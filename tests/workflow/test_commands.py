"""The operator commands: exact output, and one clear line with a non-zero exit on bad input."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip()


def test_workdays_add_and_count():
    assert run("workdays", "add", "2026-09-30", "7") == "2026-10-15"
    assert run("workdays", "count", "2026-09-30", "2026-10-15") == "7"
    assert run("workdays", "is", "2026-10-10") == "yes"
    assert run("workdays", "is", "2026-10-01") == "no"


def test_deadline_json():
    data = json.loads(run("deadline", "sme.pay.government", "2026-09-02", "--json"))
    assert {k: data[k] for k in ("rule", "start", "due", "kind")} == {
        "rule": "sme.pay.government",
        "start": "2026-09-02",
        "due": "2026-10-08",
        "kind": "deadline",
    }
    assert "国务院令第802号" in data["basis"] and "第九条" in data["basis"]


def test_deadline_agreed_days_within_and_above_the_ceiling():
    data = json.loads(run("deadline", "sme.pay.government", "2026-09-02", "--json", "--agreed-days", "45"))
    assert data["due"] == "2026-10-19"
    assert data["amount"] == 45
    with pytest.raises(CommandError, match="60"):
        run("deadline", "sme.pay.government", "2026-09-02", "--agreed-days", "61")


def test_deadline_into_a_year_without_notice_is_marked_provisional(travel):
    travel("2026-11-30")
    data = json.loads(run("deadline", "sme.pay.government", "2026-12-15", "--json"))
    assert (data["due"], data["provisional"]) == ("2027-01-14", True)
    assert "（暂定）" in run("deadline", "sme.pay.government", "2026-12-15")
    data = json.loads(run("deadline", "sme.pay.government", "2026-09-02", "--json"))
    assert (data["due"], data["provisional"]) == ("2026-10-08", False)
    assert "暂定" not in run("deadline", "sme.pay.government", "2026-09-02")


def test_deadline_plain_text_says_when_it_moved():
    text = run("deadline", "sme.pay.government", "2026-09-02")
    assert "2026-10-08" in text and "2026-10-02" in text


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("cmd") / "cmd.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env.pop("GOVCREDIT_TODAY", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    return env


@pytest.mark.parametrize(
    "args, needle",
    [
        (["workdays", "add", "2031-01-04", "3"], "2031"),  # far beyond any provisional year
        (["workdays", "add", "2026-13-01", "3"], "2026-13-01"),
        (["workdays", "add", "2026-09-30", "seven"], "seven"),
        (["deadline", "no.such.rule", "2026-09-02"], "no.such.rule"),
        (["deadline", "sme.pay.government", "2026-09-02", "--agreed-days", "61"], "60"),
        (["deadline", "complaint.handle", "2030-12-02"], "2031"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line_and_no_traceback(migrated_db, args, needle):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=migrated_db, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert needle in lines[0]
    assert "Traceback" not in result.stderr


def test_good_input_in_a_real_process(migrated_db):
    result = subprocess.run(
        [sys.executable, "manage.py", "workdays", "add", "2026-09-30", "7"],
        cwd=ROOT,
        env=migrated_db,
        capture_output=True,
        text=True,
    )
    assert (result.returncode, result.stdout) == (0, "2026-10-15\n")
