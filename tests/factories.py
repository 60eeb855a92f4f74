"""factory-boy factories for the objects a test needs, each valid by default.

Parties are plain rows; anything with a lifecycle (contracts, records, applications) is made through
its service in the test or fixture, so that dates, clocks and audit rows are what production makes.
"""

import factory
from django.contrib.auth.models import Group
from stdnum.cn import uscc as uscc_check

from workflow.models import Agency, Enterprise, User

DEFAULT_PASSWORD = "factory-pass-2026"


def valid_uscc(n: int) -> str:
    """A unified social credit code with a correct check character (91 4101 00 + a serial)."""
    body = f"91410100{n:09d}"
    return body + uscc_check.calc_check_digit(body)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"FA{n:03d}")
    name = factory.Sequence(lambda n: f"X市测试局{n}")
    kind = Agency.Kind.GOVERNMENT
    doc_prefix = factory.Sequence(lambda n: f"X测{n}")


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise
        django_get_or_create = ("uscc",)

    name = factory.Sequence(lambda n: f"X市测试企业{n}有限公司")
    uscc = factory.Sequence(valid_uscc)
    size = Enterprise.Size.SMALL


class UserFactory(factory.django.DjangoModelFactory):
    """A user with one role: UserFactory(role=roles.AGENCY_CLERK, agency=...)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"测试{n}")
    last_name = "张"
    password = factory.django.Password(DEFAULT_PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            group, _ = Group.objects.get_or_create(name=extracted)
            self.groups.add(group)
