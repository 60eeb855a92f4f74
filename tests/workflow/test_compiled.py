"""Reads compiled once per process (workflow.compiled): the same rows as the queryset, read afresh on
every call, with no SQL compiled after the first call for a key."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from workflow import compiled
from workflow.auth import _session_users
from workflow.compiled import compiled_rows
from workflow.models import Agency, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh():
    compiled.compiled_forget()
    yield
    compiled.compiled_forget()


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def compilations(monkeypatch):
    """How many times Django compiled a SELECT (outer queries and subqueries alike)."""
    calls = []
    real = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        calls.append(self.query.model)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    return calls


def agencies_named(scope: Q):
    return Agency.objects.filter(scope).order_by("code").values("code", "name")


def test_the_rows_are_the_querysets_and_are_read_again_on_every_call(demo, compilations):
    scope = Q(name__startswith="X市")
    first = compiled_rows(("agencies", scope), lambda: agencies_named(scope))
    assert first == list(agencies_named(scope)) and len(first) >= 5
    compilations.clear()
    Agency.objects.create(code="AAAA", name="X市档案局", kind=Agency.Kind.GOVERNMENT, path="9999.")
    with CaptureQueriesContext(connection) as ctx:
        again = compiled_rows(("agencies", scope), lambda: pytest.fail("built again"))
    assert compilations == []  # the kept SQL, not a new compilation ...
    assert len(ctx.captured_queries) == 1  # ... but a new read, which sees the new agency
    assert again[0] == {"code": "AAAA", "name": "X市档案局"} and again[1:] == first


def test_model_rows_keep_their_related_objects_and_annotations(demo, compilations):
    supervisor = User.objects.get(username="supervisor")
    key = ("session-user", supervisor.pk)
    compiled_rows(key, lambda: _session_users().filter(pk=supervisor.pk))
    compilations.clear()
    supervisor.groups.add(Group.objects.create(name="extra-group"))
    with CaptureQueriesContext(connection) as ctx:
        rows = compiled_rows(key, lambda: _session_users().filter(pk=supervisor.pk))
        names = {row.agency.name for row in rows}  # select_related: no query for the agency
    assert compilations == [] and len(ctx.captured_queries) == 1
    assert all(isinstance(row, User) and row.pk == supervisor.pk for row in rows)
    assert names == {"X市发展和改革委员会"}
    assert "extra-group" in {row.govcredit_group for row in rows}
    assert {row.govcredit_unread for row in rows} == {0}


def test_offset_and_limit_page_through_one_compiled_statement(demo, compilations):
    everything = list(Agency.objects.order_by("code").values_list("code", flat=True))
    compilations.clear()
    build = lambda: Agency.objects.order_by("code").values_list("code", flat=True)  # noqa: E731
    pages = [compiled_rows("codes", build, offset=offset, limit=3) for offset in range(0, len(everything), 3)]
    assert [code for page in pages for code in page] == everything
    assert compiled_rows("codes", build, offset=2) == everything[2:]
    assert len(compilations) == 1


def test_a_scope_that_matches_nothing_reads_nothing(demo):
    with CaptureQueriesContext(connection) as ctx:
        assert compiled_rows("nothing", lambda: Agency.objects.filter(pk__in=[])) == []
        assert compiled_rows("nothing", lambda: Agency.objects.filter(pk__in=[]), limit=5) == []
    assert len(ctx.captured_queries) == 0


def test_keys_keep_scopes_apart(demo):
    traffic, education = Q(code="XJTJ"), Q(code="XJYJ")
    assert compiled_rows(("agency", traffic), lambda: agencies_named(traffic)) == [
        {"code": "XJTJ", "name": "X市交通运输局"}
    ]
    assert compiled_rows(("agency", education), lambda: agencies_named(education)) == [
        {"code": "XJYJ", "name": "X市教育局"}
    ]
    # Q objects compare by value: a new but equal scope finds the kept statement.
    assert compiled_rows(("agency", Q(code="XJTJ")), lambda: pytest.fail("built again"))[0]["code"] == "XJTJ"


def test_at_most_compiled_max_statements_are_kept(demo, monkeypatch):
    monkeypatch.setattr(compiled, "COMPILED_MAX", 3)
    for n in range(5):
        compiled_rows(("n", n), lambda: Agency.objects.values("code"), limit=1)
    assert len(compiled._compiled) == 3
    assert [key[1] for key in compiled._compiled] == [("n", 2), ("n", 3), ("n", 4)]


def test_slices_and_negative_bounds_are_refused(demo):
    with pytest.raises(ValueError, match="offset/limit"):
        compiled_rows("sliced", lambda: Agency.objects.order_by("code")[:2])
    with pytest.raises(ValueError, match="negative"):
        compiled_rows("codes", lambda: Agency.objects.order_by("code"), offset=-1)
