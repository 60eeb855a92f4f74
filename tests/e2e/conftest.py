"""Browser journeys: Playwright for Python driving Debian's chromium (never a downloaded browser)."""

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--lang=zh-CN",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context per test (own cookies), asking for Chinese like a user in the city."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1280, "height": 800},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def demo_data():
    """Demo agencies, enterprises and users. The role groups come from a migration; a transactional
    test before this one may have flushed them, so make sure they exist."""
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from workflow import roles

    for name in roles.ALL:
        Group.objects.get_or_create(name=name)
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
