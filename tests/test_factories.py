"""The factories make valid parties that the services and scoping accept."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import DEFAULT_PASSWORD, AgencyFactory, EnterpriseFactory, UserFactory
from workflow import roles
from workflow.models.parties import validate_uscc

pytestmark = pytest.mark.django_db


def test_a_clerk_of_a_new_agency_has_its_role_and_can_log_in(client):
    agency = AgencyFactory()
    clerk = UserFactory(role=roles.AGENCY_CLERK, agency=agency)
    assert roles.has_role(clerk, roles.AGENCY_CLERK) and not roles.has_role(clerk, roles.SUPERVISOR)
    assert client.login(username=clerk.username, password=DEFAULT_PASSWORD)


def test_enterprises_get_distinct_valid_credit_codes():
    a, b = EnterpriseFactory(), EnterpriseFactory()
    assert a.uscc != b.uscc
    for enterprise in (a, b):
        validate_uscc(enterprise.uscc)  # raises on a bad check character
    with pytest.raises(ValidationError):
        validate_uscc(a.uscc[:-1] + ("0" if a.uscc[-1] != "0" else "1"))
