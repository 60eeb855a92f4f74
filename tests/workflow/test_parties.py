import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from workflow import scoping
from workflow.models import Agency, Enterprise, User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["91410100AY4CL12THU", "91350100M000100Y43"])
def test_valid_uscc_is_accepted(code):
    Enterprise(name="x", uscc=code, size="small").full_clean()


@pytest.mark.parametrize("code", ["91410100AY4CL12THX", "123", "91410100AY4CL12TH"])
def test_invalid_uscc_is_refused_with_a_clear_message(code):
    with pytest.raises(ValidationError) as exc:
        Enterprise(name="x", uscc=code, size="small").full_clean()
    assert "统一社会信用代码" in str(exc.value)


def test_enterprise_size_decides_sme():
    assert Enterprise(size="micro").is_sme and not Enterprise(size="large").is_sme


def test_a_user_belongs_to_an_agency_or_an_enterprise_not_both():
    call_command("seed_demo", stdout=None)
    user = User.objects.get(username="agency_clerk")
    user.enterprise = Enterprise.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        user.save()


def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    counts = (Agency.objects.count(), Enterprise.objects.count(), User.objects.count())
    call_command("seed_demo")
    assert (Agency.objects.count(), Enterprise.objects.count(), User.objects.count()) == counts
    assert User.objects.get(username="enterprise_user").check_password("demo-pass-2026")


def test_agency_scoping_includes_sub_agencies_and_nothing_else():
    call_command("seed_demo")
    clerk = User.objects.get(username="agency_clerk")  # 交通运输局, which has a 公路管理站 below it
    clerk2 = User.objects.get(username="agency_clerk2")  # 教育局
    supervisor = User.objects.get(username="supervisor")
    enterprise_user = User.objects.get(username="enterprise_user")
    assert set(scoping.agencies_for_user(clerk).values_list("code", flat=True)) == {"XJTJ", "XJTJ-GLZ"}
    assert set(scoping.agencies_for_user(clerk2).values_list("code", flat=True)) == {"XJYJ"}
    assert scoping.agencies_for_user(supervisor).count() == Agency.objects.count()
    assert scoping.agencies_for_user(enterprise_user).count() == 0
    assert list(scoping.enterprises_for_user(enterprise_user).values_list("uscc", flat=True)) == ["91410100AY4CL12THU"]
    assert scoping.enterprises_for_user(clerk).count() == 0
    # The Q filters used by every selector agree with the helpers.
    visible = Agency.objects.filter(scoping.agency_filter(clerk, field="parent"))
    assert set(visible.values_list("code", flat=True)) == {"XJTJ-GLZ"}
