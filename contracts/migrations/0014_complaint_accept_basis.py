"""The rule complaint.accept cited a document name that does not exist. The MIIT measures are
《保障中小企业款项支付投诉处理暂行办法》 (工信部企业〔2021〕224号, issued 2021-12-30); the complaint
receipt prints this citation. The 10-working-day amount stays unverified (verified=False)."""

from django.db import migrations
from django.utils import timezone

OLD = "工业和信息化部中小企业款项支付投诉处理暂行办法（2021年）"
NEW = "保障中小企业款项支付投诉处理暂行办法（工信部企业〔2021〕224号）"


def forwards(apps, schema_editor):
    Rule = apps.get_model("workflow", "Rule")
    Rule.objects.filter(code="complaint.accept", basis_document=OLD).update(basis_document=NEW, updated_at=timezone.now())


def backwards(apps, schema_editor):
    Rule = apps.get_model("workflow", "Rule")
    Rule.objects.filter(code="complaint.accept", basis_document=NEW).update(basis_document=OLD, updated_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0013_list_indexes"),
        ("workflow", "0002_seed_rules"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
