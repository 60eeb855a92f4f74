"""The staff contract list's agency filter: a select while the user sees few agencies, a search field
(name or code) above contracts.forms.AGENCY_SELECT_MAX, matched only against the agencies the user may
see. Pages in zh-hans, as the users read them."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from contracts import forms

pytestmark = pytest.mark.django_db

User = get_user_model()
STAFF_LIST = "/staff/contracts/"


def logged_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def three_agencies(make_contract):
    make_contract(number="JT-1", agency_code="XJTJ", signed_on="2026-08-03")
    make_contract(number="GLZ-1", agency_code="XJTJ-GLZ", signed_on="2026-08-04")
    make_contract(number="JY-1", agency_code="XJYJ", signed_on="2026-08-05")


def listed(html: str) -> set[str]:
    return set(re.findall(r'<td class="mono nowrap"><a href="[^"]+">([^<]+)</a>', html))


def test_few_agencies_keep_the_select(three_agencies):
    supervisor = logged_in("supervisor")
    html = supervisor.get(STAFF_LIST).content.decode()
    assert '<select name="agency"' in html and '<option value="XJTJ">X市交通运输局</option>' in html
    assert "单位名称或代码" not in html
    html = supervisor.get(STAFF_LIST, {"agency": "XJYJ"}).content.decode()
    assert listed(html) == {"JY-1"}


def test_many_agencies_are_searched_by_name_or_code(three_agencies, monkeypatch):
    monkeypatch.setattr(forms, "AGENCY_SELECT_MAX", 5)  # the demo has 8 agencies
    supervisor = logged_in("supervisor")
    html = supervisor.get(STAFF_LIST).content.decode()
    assert '<select name="agency"' not in html and "X市城市建设投资集团有限公司" not in html
    field = re.search(r'<input[^>]*name="agency"[^>]*>', html)
    assert field and 'type="search"' in field.group(0) and 'placeholder="单位名称或代码"' in field.group(0)
    assert listed(html) == {"JT-1", "GLZ-1", "JY-1"}
    # A part of the name: the transport bureau and its road station below it.
    html = supervisor.get(STAFF_LIST, {"agency": "交通运输局"}).content.decode()
    assert listed(html) == {"JT-1", "GLZ-1"}
    assert 'value="交通运输局"' in html  # the term stays in the field
    # A code, in any case, is that agency alone (not the agencies whose code starts with it).
    assert listed(supervisor.get(STAFF_LIST, {"agency": "xjtj"}).content.decode()) == {"JT-1"}
    html = supervisor.get(STAFF_LIST, {"agency": "不存在的单位"}).content.decode()
    assert listed(html) == set() and "没有符合筛选条件的合同" in html


def test_the_search_matches_only_agencies_the_user_may_see(three_agencies, monkeypatch):
    monkeypatch.setattr(forms, "AGENCY_SELECT_MAX", 1)  # the transport bureau's head sees 2 agencies
    head = logged_in("agency_head")
    html = head.get(STAFF_LIST).content.decode()
    assert 'placeholder="单位名称或代码"' in html and listed(html) == {"JT-1", "GLZ-1"}
    assert listed(head.get(STAFF_LIST, {"agency": "公路管理站"}).content.decode()) == {"GLZ-1"}
    # The education bureau exists, but not for this user: by name or by code, nothing of it.
    assert listed(head.get(STAFF_LIST, {"agency": "教育局"}).content.decode()) == set()
    assert listed(head.get(STAFF_LIST, {"agency": "XJYJ"}).content.decode()) == set()


def test_rows_are_escaped_and_complete(make_contract):
    contract = make_contract(number="HT<1>", title='<b>路灯 & "维护"</b>')
    html = logged_in("supervisor").get(STAFF_LIST).content.decode()
    row = html.split(f'<tr id="contract-{contract.pk}">', 1)[1].split("</tr>", 1)[0]
    assert "<b>" not in row and "&lt;b&gt;路灯 &amp; &quot;维护&quot;&lt;/b&gt;" in row and "HT&lt;1&gt;" in row
    assert f'href="/staff/contracts/{contract.pk}/"' in row
    assert '<td class="small">X市交通运输局</td>' in row and "X市恒信建材有限公司" in row
    assert "300,000.00" in row and "2026-08-03" in row and 'count-badge count-zero">0<' in row
