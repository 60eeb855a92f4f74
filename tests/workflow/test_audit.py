import pytest
from django.db import DatabaseError, connection, transaction

from workflow.audit import audit_for, audit_record
from workflow.models import Agency, AuditLog
from workflow.models.audit import AppendOnlyError

pytestmark = pytest.mark.django_db


@pytest.fixture
def row():
    agency = Agency.objects.create(code="A1", name="审计测试局", kind=Agency.Kind.GOVERNMENT)
    with transaction.atomic():
        return audit_record(action="test.touch", obj=agency, reason="because", from_state="a", to_state="b")


def test_audit_row_records_who_what_and_why(row):
    assert (row.action, row.from_state, row.to_state, row.reason, row.actor_label) == (
        "test.touch",
        "a",
        "b",
        "because",
        "system",
    )
    assert list(audit_for(Agency.objects.get(code="A1"))) == [row]


def test_orm_refuses_to_change_or_delete_audit_rows(row):
    row.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.filter(pk=row.pk).update(reason="x")
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.filter(pk=row.pk).delete()


@pytest.mark.parametrize("sql", ["UPDATE workflow_auditlog SET reason = 'x'", "DELETE FROM workflow_auditlog"])
def test_the_database_refuses_too(row, sql):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql)
    assert AuditLog.objects.get(pk=row.pk).reason == "because"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_audit_outside_a_transaction_is_a_programming_error():
    with pytest.raises(RuntimeError):
        audit_record(action="x")
