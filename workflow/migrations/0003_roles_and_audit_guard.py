"""Role groups, and database triggers that make the audit log append-only."""

from django.db import migrations

ROLES = [
    "agency_clerk",
    "agency_head",
    "supervisor",
    "complaint_officer",
    "penalty_officer",
    "window_clerk",
    "enterprise_user",
]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


SQLITE_UP = [
    """CREATE TRIGGER workflow_auditlog_no_update BEFORE UPDATE ON workflow_auditlog
       BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;""",
    """CREATE TRIGGER workflow_auditlog_no_delete BEFORE DELETE ON workflow_auditlog
       BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS workflow_auditlog_no_update;",
    "DROP TRIGGER IF EXISTS workflow_auditlog_no_delete;",
]
PG_UP = [
    """CREATE OR REPLACE FUNCTION workflow_auditlog_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit rows are append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER workflow_auditlog_append_only BEFORE UPDATE OR DELETE ON workflow_auditlog
       FOR EACH ROW EXECUTE FUNCTION workflow_auditlog_append_only();""",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS workflow_auditlog_append_only ON workflow_auditlog;",
    "DROP FUNCTION IF EXISTS workflow_auditlog_append_only();",
]


def guard_up(apps, schema_editor):
    statements = {"sqlite": SQLITE_UP, "postgresql": PG_UP}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def guard_down(apps, schema_editor):
    statements = {"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("workflow", "0002_seed_rules"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [
        migrations.RunPython(create_groups, migrations.RunPython.noop),
        migrations.RunPython(guard_up, guard_down),
    ]
