"""Demo data of credit repair, called by `manage.py seed_demo` (idempotent).

The deciding units' remedies and payment details: every adverse act of a unit names its review body
(复议机关) and court (人民法院), and a fine decision says where to pay. Editable in the admin.
"""

from repair.models import DecidingUnitProfile
from workflow.models import Agency

# code → (address, review body, court, how and where fines are paid)
UNIT_PROFILES = {
    "XSCJ": (
        "X市行政中心东区市场监管大楼（X市人民路88号）",
        "X市人民政府",
        "X市东区人民法院",
        "通过X省非税收入缴款平台（扫描本决定书所附缴款码）或者到中国工商银行X市分行各营业网点缴纳",
    ),
    "XFGW": (
        "X市行政中心1号楼（X市人民路1号）",
        "X市人民政府",
        "X市东区人民法院",
        "通过X省非税收入缴款平台或者到中国工商银行X市分行各营业网点缴纳",
    ),
    "XJTJ": (
        "X市交通大厦（X市建设路18号）",
        "X市人民政府",
        "X市东区人民法院",
        "通过X省非税收入缴款平台或者到中国建设银行X市分行各营业网点缴纳",
    ),
}


def unit_profiles_seed() -> int:
    """Create or update the demo units' profiles; returns how many exist for the demo units."""
    count = 0
    for code, (address, review_body, court, payment) in UNIT_PROFILES.items():
        unit = Agency.objects.filter(code=code).first()
        if unit is None:
            continue
        DecidingUnitProfile.objects.update_or_create(
            unit=unit,
            defaults={"address": address, "review_body": review_body, "court": court, "payment_method": payment},
        )
        count += 1
    return count


def seed(stdout=None) -> str:
    return f"{unit_profiles_seed()} deciding units with remedies and payment details"
