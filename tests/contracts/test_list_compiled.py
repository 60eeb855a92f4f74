"""The unfiltered staff list reads its page with SQL compiled once per scope (workflow.compiled):
whoever opens it next in the same process sees exactly their own contracts, and new contracts show
at once."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from workflow import compiled

pytestmark = pytest.mark.django_db

User = get_user_model()
STAFF_LIST = "/staff/contracts/"


@pytest.fixture(autouse=True)
def _fresh():
    compiled.compiled_forget()
    yield
    compiled.compiled_forget()


def numbers(username: str, **params) -> list[str]:
    client = Client()
    client.force_login(User.objects.get(username=username))
    response = client.get(STAFF_LIST, params)
    assert response.status_code == 200
    html = response.content.decode()
    return [cell.split("</a>", 1)[0] for cell in html.split('<td class="mono nowrap"><a href="/staff/contracts/')[1:]]


def only_number(cell: str) -> str:
    return cell.split(">", 1)[1]


def test_clerks_of_two_agencies_take_turns_and_each_sees_only_their_own(make_contract):
    make_contract(agency_code="XJTJ", number="HT-TRAFFIC-1", signed_on="2026-08-03")
    make_contract(agency_code="XJYJ", number="HT-SCHOOL-1", signed_on="2026-08-04")
    for _turn in range(2):  # the second turn runs on the statements the first one compiled
        assert [only_number(c) for c in numbers("agency_clerk")] == ["HT-TRAFFIC-1"]
        assert [only_number(c) for c in numbers("agency_clerk2")] == ["HT-SCHOOL-1"]
        assert [only_number(c) for c in numbers("supervisor")] == ["HT-SCHOOL-1", "HT-TRAFFIC-1"]
    make_contract(agency_code="XJTJ", number="HT-TRAFFIC-2", signed_on="2026-08-05")
    assert [only_number(c) for c in numbers("agency_clerk")] == ["HT-TRAFFIC-2", "HT-TRAFFIC-1"]
    assert [only_number(c) for c in numbers("agency_clerk2")] == ["HT-SCHOOL-1"]


def test_later_pages_of_the_unfiltered_list_follow_on(make_contract):
    for day in range(1, 28):
        make_contract(number=f"HT-{day:02d}", signed_on=f"2026-08-{day:02d}")
    first = [only_number(c) for c in numbers("agency_clerk")]
    second = [only_number(c) for c in numbers("agency_clerk", page=2)]
    assert first == [f"HT-{day:02d}" for day in range(27, 2, -1)]  # 25 a page, newest first
    assert second == ["HT-02", "HT-01"]
    assert [only_number(c) for c in numbers("agency_clerk", page=99)] == second  # past the end: the last page
