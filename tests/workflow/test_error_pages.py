"""Error pages are the site's own, in Chinese, with their status codes (DEBUG=False), viewflow's
English 403 included (issue 10, item 4)."""

import pytest
from django.conf import settings
from django.template import loader
from django.test import Client
from django.urls import reverse

from workflow.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def page(response) -> str:
    return response.content.decode()


def test_debug_is_off_in_tests():
    assert settings.DEBUG is False


def test_404_is_chinese(client):
    response = client.get("/staff/no-such-page/")
    assert response.status_code == 404
    html = page(response)
    assert "页面不存在" in html and "您访问的页面不存在或已被移除。" in html and 'data-status="404"' in html
    assert "Not Found" not in html


def test_403_is_chinese_and_names_the_person(client, demo):
    client.force_login(User.objects.get(username="agency_clerk"))
    response = client.get(reverse("staff-calendar"))  # a supervisor's page
    assert response.status_code == 403
    html = page(response)
    assert "无权访问" in html and "李文清，您的角色无权访问此页面。" in html
    assert "have no rights" not in html and "Access Forbidden" not in html


def test_viewflows_403_template_is_replaced_by_ours():
    """viewflow ships templates/403.html (purple, "张伟 have no rights to access this page"); the site's
    templates directory comes first, so every 403 — viewflow's task views included — renders ours."""
    origin = loader.get_template("403.html").origin.name
    assert origin == str(settings.BASE_DIR / "templates" / "403.html")
    for name in ("400.html", "404.html", "500.html"):
        assert loader.get_template(name).origin.name == str(settings.BASE_DIR / "templates" / name)


def test_viewflow_permission_denied_renders_our_chinese_page(rf, demo):
    from django.core.exceptions import PermissionDenied

    from workflow.api.errors import permission_denied

    request = rf.get("/staff/complaints/id/1/")
    request.user = User.objects.get(username="enterprise_user")
    response = permission_denied(request, PermissionDenied())
    html = page(response)
    assert response.status_code == 403
    assert "张伟，您的角色无权访问此页面。" in html and "have no rights" not in html


@pytest.mark.urls("tests.workflow.error_urls")
def test_500_is_chinese():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = page(response)
    assert "服务器错误" in html and "系统出现错误，请稍后重试" in html and 'data-status="500"' in html
    assert "Server Error (500)" not in html


def test_csrf_failure_is_chinese(demo):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "agency_clerk", "password": "x"})
    assert response.status_code == 403
    html = page(response)
    assert "页面已过期" in html and "请返回、刷新页面后重新提交" in html
    assert "CSRF verification failed" not in html


def test_api_errors_stay_json(client):
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
