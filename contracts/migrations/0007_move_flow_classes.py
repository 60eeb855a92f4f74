"""The disposal and complaint flows moved from contracts/flows.py into their own packages.

viewflow stores a flow by its path ("contracts/flows.DisposalFlow") in Process.flow_class and
Task.flow_task; this rewrites those references so running processes keep working.
"""

from django.db import migrations

MOVES = [
    ("contracts/flows.DisposalFlow", "contracts/disposal.flows.DisposalFlow"),
    ("contracts/flows.ComplaintFlow", "contracts/complaints.flows.ComplaintFlow"),
]


def rewrite(schema_editor, pairs):
    with schema_editor.connection.cursor() as cursor:
        for old, new in pairs:
            cursor.execute("UPDATE viewflow_process SET flow_class = %s WHERE flow_class = %s", [new, old])
            cursor.execute(
                "UPDATE viewflow_task SET flow_task = %s || substr(flow_task, %s) WHERE flow_task LIKE %s",
                [new, len(old) + 1, old + ".%"],
            )


def forwards(apps, schema_editor):
    rewrite(schema_editor, MOVES)


def backwards(apps, schema_editor):
    rewrite(schema_editor, [(new, old) for old, new in MOVES])


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0006_warning_indexes"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
