"""Supervisors (credit office) manage the rules table and the holiday calendar in the admin, and
read the audit log, deadlines, documents, outbox and job records."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SUPERVISOR = {
    "workflow": {
        "rule": ["view", "change"],
        "holidayoverride": ["view", "add", "change", "delete"],
        "calendaryear": ["view", "add", "change"],
        "agency": ["view", "add", "change"],
        "enterprise": ["view", "add", "change"],
        "user": ["view"],
        "auditlog": ["view"],
        "deadline": ["view"],
        "deadlineevent": ["view"],
        "document": ["view"],
        "delivery": ["view"],
        "outboxmessage": ["view", "change"],
        "notification": ["view"],
        "sweeprun": ["view"],
        "heartbeat": ["view"],
        "loginattempt": ["view"],
    }
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="supervisor")
    for app_label, models in SUPERVISOR.items():
        for model, actions in models.items():
            codenames = [f"{a}_{model}" for a in actions]
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [("workflow", "0003_roles_and_audit_guard"), ("contenttypes", "0002_remove_content_type_name")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
