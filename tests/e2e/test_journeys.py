"""First browser journeys: the portal, logging in, the staff landing page, the calendar page.

Each test saves a full-page screenshot under test-artifacts/ for a person to look at.
"""

import re

import pytest
from playwright.sync_api import expect

PASSWORD = "demo-pass-2026"

# serialized_rollback: the live server needs real commits; this restores the migration data
# (role groups, seeded rules) that flushing between transactional tests would otherwise lose.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def log_in(page, username, password=PASSWORD):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="登录").click()


def test_agency_clerk_journey_from_portal_to_landing(page, demo_data, artifacts):
    page.goto("/")
    expect(page).to_have_title(re.compile("首页"))
    expect(page.get_by_role("heading", level=1)).to_have_text("X市社会信用监管服务平台")
    page.locator("main, .hero").get_by_role("link", name="登录").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    page.fill("#id_username", "agency_clerk")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page).to_have_url(re.compile(r"/staff/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
    expect(page.locator("#card-organisation")).to_contain_text("X市交通运输局")
    expect(page.locator(".user-menu .user-name")).to_have_text("李文清")  # family name first
    expect(page.locator(".user-menu")).to_contain_text("单位经办人")
    expect(page.locator("#card-calendar")).to_have_count(0)  # not a supervisor
    page.screenshot(path=str(artifacts / "e2e-landing.png"), full_page=True)

    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".user-menu")).to_have_count(0)


def test_wrong_password_shows_the_error(page, demo_data, artifacts):
    log_in(page, "agency_clerk", "not-the-password")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    error = page.locator(".errorlist.nonfield")
    expect(error).to_be_visible()
    expect(error).to_contain_text("密码")
    page.screenshot(path=str(artifacts / "e2e-login-error.png"), full_page=True)


def test_portal_and_login_pages(page, artifacts):
    page.goto("/")
    expect(page.locator(".verify-box input[name=code]")).to_be_visible()
    expect(page.get_by_role("heading", name="政府合同履约信用监管")).to_be_visible()
    page.screenshot(path=str(artifacts / "e2e-portal.png"), full_page=True)

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("X City Social Credit Supervision Service Platform")
    page.screenshot(path=str(artifacts / "e2e-portal-en.png"), full_page=True)
    page.get_by_role("button", name="中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("X市社会信用监管服务平台")

    page.goto("/accounts/login/")
    page.screenshot(path=str(artifacts / "e2e-login.png"), full_page=True)


def test_supervisor_landing_and_calendar(page, demo_data, artifacts, travel):
    travel("2026-11-20")
    log_in(page, "supervisor")
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
    expect(page.locator(".clock-banner")).to_have_text("演示时钟：今天是 2026-11-20")
    expect(page.locator("#card-organisation")).to_contain_text("X市发展和改革委员会")
    expect(page.locator("#card-calendar")).to_contain_text("2027年节假日安排通知尚未录入")
    expect(page.locator("#card-rules .stat")).to_be_visible()
    page.screenshot(path=str(artifacts / "e2e-landing-supervisor.png"), full_page=True)

    page.get_by_role("link", name="工作日历").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("工作日历")
    expect(page.locator("#calendar-form textarea[name=days]")).to_be_visible()
    page.screenshot(path=str(artifacts / "e2e-calendar.png"), full_page=True)

    # A bad line is refused with the line named (nothing is saved, so no audit rows to flush).
    page.fill("#id_notice", "国办发明电〔2026〕7号")
    page.fill("#id_days", "2027-01-01 休 元旦\n2027-13-01 休 错误")
    page.get_by_role("button", name="保存年度安排").click()
    expect(page.locator("#calendar-form .errorlist")).to_contain_text("第 2 行")
    page.screenshot(path=str(artifacts / "e2e-calendar-error.png"), full_page=True)


def test_notification_badge_and_mark_read(page, demo_data, artifacts):
    from django.utils import timezone

    from workflow.models import Notification, User

    clerk = User.objects.get(username="agency_clerk")
    Notification.objects.create(
        recipient=clerk,
        title="合同 X交〔2026〕3号 付款将于 5 个工作日后到期",
        body="请在到期前完成付款并登记。",
        created_at=timezone.now(),
    )
    log_in(page, "agency_clerk")
    expect(page.locator(".main-nav .badge")).to_have_text("1")
    expect(page.locator("#card-notifications")).to_contain_text("付款将于 5 个工作日后到期")

    page.locator(".main-nav").get_by_role("link", name=re.compile("消息通知")).click()
    expect(page.locator("tr.unread")).to_have_count(1)
    page.screenshot(path=str(artifacts / "e2e-notifications.png"), full_page=True)
    page.get_by_role("button", name="标为已读").click()
    expect(page.locator("tr.unread")).to_have_count(0)
    expect(page.locator(".main-nav .badge")).to_have_count(0)


def test_landing_on_a_phone(browser, live_server, demo_data, artifacts):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    try:
        page = context.new_page()
        log_in(page, "enterprise_user")
        expect(page.locator("#card-organisation")).to_contain_text("91410100AY4CL12THU")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"page scrolls sideways on a phone ({width}px)"
        page.screenshot(path=str(artifacts / "e2e-landing-phone.png"), full_page=True)
    finally:
        context.close()
