"""Demo data: agencies, enterprises and one user per role. Safe to run again (idempotent)."""

import importlib
import os

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from workflow import roles
from workflow.management.base import GovcreditCommand
from workflow.models import Agency, Enterprise, User

AGENCIES = [
    # code, name, kind, parent code, region, document prefix
    ("XFGW", "X市发展和改革委员会", Agency.Kind.GOVERNMENT, None, "市本级", "X发改"),
    ("XCZJ", "X市财政局", Agency.Kind.GOVERNMENT, None, "市本级", "X财"),
    ("XJTJ", "X市交通运输局", Agency.Kind.GOVERNMENT, None, "市本级", "X交"),
    ("XJTJ-GLZ", "X市交通运输局公路管理站", Agency.Kind.INSTITUTION, "XJTJ", "市本级", "X交公"),
    ("XSCJ", "X市市场监督管理局", Agency.Kind.GOVERNMENT, None, "市本级", "X市监"),
    ("XJYJ", "X市教育局", Agency.Kind.GOVERNMENT, None, "市本级", "X教"),
    ("DQQZF", "X市东区人民政府", Agency.Kind.GOVERNMENT, None, "东区", "东政"),
    ("XCTJT", "X市城市建设投资集团有限公司", Agency.Kind.STATE_ENTERPRISE, None, "市本级", "X城投"),
]

ENTERPRISES = [
    # name, USCC, size, region
    ("X市恒信建材有限公司", "91410100AY4CL12THU", Enterprise.Size.SMALL, "东区"),
    ("X市明达软件科技有限公司", "91410105DD272HD1TJ", Enterprise.Size.MICRO, "市本级"),
    ("X市安远物流有限公司", "91410104J3Y7LLJY1K", Enterprise.Size.MEDIUM, "西区"),
    ("X市宏图工程建设集团有限公司", "91410102JJC171HU49", Enterprise.Size.LARGE, "市本级"),
    ("X市青禾餐饮管理有限公司", "91410103M53JJL6B3F", Enterprise.Size.SMALL, "东区"),
]

USERS = [
    # username, full name, role, agency code, enterprise USCC
    ("agency_clerk", "李文清", roles.AGENCY_CLERK, "XJTJ", None),
    ("agency_clerk2", "周晓梅", roles.AGENCY_CLERK, "XJYJ", None),
    ("agency_head", "王建国", roles.AGENCY_HEAD, "XJTJ", None),
    ("supervisor", "陈思远", roles.SUPERVISOR, "XFGW", None),
    ("complaint_officer", "赵立新", roles.COMPLAINT_OFFICER, "XFGW", None),
    ("penalty_officer", "孙海燕", roles.PENALTY_OFFICER, "XSCJ", None),
    ("window_clerk", "刘敏", roles.WINDOW_CLERK, "XFGW", None),
    ("enterprise_user", "张伟", roles.ENTERPRISE_USER, None, "91410100AY4CL12THU"),
    ("enterprise_user2", "黄丽", roles.ENTERPRISE_USER, None, "91410105DD272HD1TJ"),
]


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or "demo-pass-2026"


class Command(GovcreditCommand):
    help = "Load demo agencies, enterprises and one user per role (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        password = demo_password()
        agencies: dict[str, Agency] = {}
        for code, name, kind, parent, region, prefix in AGENCIES:
            agency, _ = Agency.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "kind": kind,
                    "parent": agencies[parent] if parent else None,
                    "region": region,
                    "doc_prefix": prefix,
                },
            )
            agencies[code] = agency
        enterprises: dict[str, Enterprise] = {}
        for name, uscc, size, region in ENTERPRISES:
            enterprise, _ = Enterprise.objects.update_or_create(
                uscc=uscc, defaults={"name": name, "size": size, "region": region}
            )
            enterprises[uscc] = enterprise
        for username, full_name, role, agency_code, enterprise_uscc in USERS:
            user, created = User.objects.get_or_create(username=username)
            user.last_name, user.first_name = full_name[:1], full_name[1:]
            user.email = f"{username}@demo.govcredit.local"
            user.agency = agencies[agency_code] if agency_code else None
            user.enterprise = enterprises[enterprise_uscc] if enterprise_uscc else None
            user.is_staff = role == roles.SUPERVISOR
            if created or not user.check_password(password):
                user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
        self.stdout.write(
            f"Demo data ready: {len(agencies)} agencies, {len(enterprises)} enterprises, {len(USERS)} users "
            f"(password: {password})."
        )
        # Each app may add demo cases in a `demo` module with `seed()` (idempotent); test settings
        # turn this off so that tests start from the parties alone.
        if not getattr(settings, "GOVCREDIT_DEMO_CASES", True):
            return
        for app_config in apps.get_app_configs():
            try:
                module = importlib.import_module(f"{app_config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app_config.name}.demo":
                    raise
                continue
            self.stdout.write(f"{app_config.label}: {module.seed(stdout=self.stdout)}")
