"""The flows moved packages; migration 0007 rewrites the references viewflow stored in running processes."""

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.db import connection

from contracts.disposal.flows import DisposalFlow
from contracts.disposal.process import disposal_open
from contracts.disposal.selectors import disposal_current_step
from contracts.models import Warning
from contracts.services import milestone_record_delivery
from workflow.models import User

pytestmark = pytest.mark.django_db
migration = importlib.import_module("contracts.migrations.0007_move_flow_classes")


def test_a_process_stored_under_the_old_path_runs_on_after_the_migration(make_contract, clerk, travel, sweep):
    contract = make_contract()
    travel("2026-09-02")
    payment = contract.milestones.get(kind="payment")
    milestone_record_delivery(milestone=payment, delivered_on=dt.date(2026, 9, 2), acting_user=clerk)
    sweep(dt.date(2026, 10, 9))
    travel("2026-10-12")
    case = disposal_open(
        contract=contract,
        warning=Warning.objects.get(rule="payment.overdue"),
        grounds="逾期未付。",
        acting_user=User.objects.get(username="supervisor"),
    )
    # Put the rows back as the code before the move stored them.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE viewflow_process SET flow_class = 'contracts/flows.DisposalFlow' "
            "WHERE flow_class = 'contracts/disposal.flows.DisposalFlow'"
        )
        cursor.execute(
            "UPDATE viewflow_task SET flow_task = replace(flow_task, 'contracts/disposal.flows.', 'contracts/flows.')"
        )
        cursor.execute("SELECT count(*) FROM viewflow_task WHERE flow_task LIKE 'contracts/flows.DisposalFlow.%'")
        assert cursor.fetchone()[0] >= 2
    migration.forwards(None, SimpleNamespace(connection=connection))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM viewflow_task WHERE flow_task LIKE 'contracts/flows.%'")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT DISTINCT flow_class FROM viewflow_process")
        assert [row[0] for row in cursor.fetchall()] == ["contracts/disposal.flows.DisposalFlow"]
    # The agency's clerk still finds the response task, now resolved through the new path.
    assert disposal_current_step(case=case, user=clerk) == "respond"
    tasks = DisposalFlow.process_class.objects.get().task_set.all()
    assert DisposalFlow.instance.respond in {task.flow_task for task in tasks}
