import pytest
from django.core.management import call_command

from workflow.models import User


@pytest.fixture
def demo(db):
    from repair.demo import unit_profiles_seed

    call_command("seed_demo", verbosity=0)
    unit_profiles_seed()  # the deciding units' review body, court and payment details (demo cases are off in tests)


@pytest.fixture
def officer(demo):
    return User.objects.get(username="penalty_officer")


@pytest.fixture
def sweep(travel):
    from workflow.sweeps import sweep_run

    def _sweep(day):
        travel(day.isoformat())
        return sweep_run(as_of=day)

    return _sweep
