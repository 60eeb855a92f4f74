import pytest
from django.db import transaction

from workflow.audit import audit_record
from workflow.models import AuditLog


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transactional_test_may_write_audit_rows():
    # The flush after this test must succeed even though the audit log refuses deletes.
    with transaction.atomic():
        audit_record(action="test.flush")
    assert AuditLog.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_and_the_guard_is_back_after_the_flush():
    from django.db import DatabaseError, connection

    assert AuditLog.objects.count() == 0
    with transaction.atomic():
        audit_record(action="test.flush")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM workflow_auditlog")
