"""The evaluation ranking at desk width: every column, the PDF report link included, is on screen."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from contracts.services import contract_register
from workflow.models import Agency, User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_report_link_is_visible_without_scrolling_at_1366(page, demo_data, artifacts, travel):
    travel("2026-08-05")
    contract_register(
        agency=Agency.objects.get(code="XJTJ"),
        data={
            "number": "JT-2026-201",
            "title": "桥梁检测服务",
            "kind": "services",
            "procurement": False,
            "counterparty": {"name": "X市恒信建材有限公司", "uscc": "91410100AY4CL12THU", "size": "small"},
            "amount": "120000.00",
            "signed_on": dt.date(2026, 8, 3),
            "ends_on": None,
            "payment_term_days": None,
            "milestones": [],
        },
        acting_user=User.objects.get(username="agency_clerk"),
    )
    travel("2026-11-30")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/accounts/login/")
    page.fill("#id_username", "supervisor")
    page.fill("#id_password", "demo-pass-2026")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
    page.goto("/staff/contracts/evaluation/?period=2026Q3")
    link = page.locator("#agency-XJTJ a", has_text="PDF")
    expect(link).to_be_visible()
    box = link.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 1366
    assert page.evaluate("document.querySelector('#ranking').getBoundingClientRect().right") <= 1366
    page.screenshot(path=str(artifacts / "e2e-evaluation-1366.png"), full_page=True)
