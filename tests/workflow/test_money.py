from decimal import Decimal

import pytest

from workflow.money import rmb, rmb_capital


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("100000.00", "壹拾万元整"),
        ("550.00", "伍佰伍拾元整"),
        ("1234567.89", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
        ("0.05", "伍分"),
        ("0.50", "伍角"),
        ("1005.30", "壹仟零伍元叁角"),
        ("100000000", "壹亿元整"),
        ("10010.01", "壹万零壹拾元零壹分"),
        ("0", "零元整"),
        ("10", "壹拾元整"),
        ("15", "壹拾伍元整"),
        ("10.05", "壹拾元零伍分"),
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        ("1000100", "壹佰万零壹佰元整"),
        ("10000001", "壹仟万零壹元整"),
        ("100010000", "壹亿零壹万元整"),
        ("120000000", "壹亿贰仟万元整"),
        ("100000001.10", "壹亿零壹元壹角"),
        ("2000000000000", "贰万亿元整"),
        # half-up to the fen
        ("0.005", "壹分"),
        ("0.004", "零元整"),
        ("99.995", "壹佰元整"),
    ],
)
def test_rmb_capital(amount, expected):
    assert rmb_capital(Decimal(amount)) == expected


def test_rmb_capital_accepts_int_and_string():
    assert rmb_capital(100000) == "壹拾万元整"
    assert rmb_capital("550.00") == "伍佰伍拾元整"


@pytest.mark.parametrize("amount", [Decimal("-0.01"), Decimal("-100"), "abc", Decimal("NaN"), Decimal(10) ** 16])
def test_rmb_capital_rejects(amount):
    with pytest.raises(ValueError):
        rmb_capital(amount)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("100000"), "¥100,000.00"),
        (Decimal("1234567.891"), "¥1,234,567.89"),
        (Decimal("0.005"), "¥0.01"),
        ("550", "¥550.00"),
        (Decimal("-5"), "-¥5.00"),
    ],
)
def test_rmb(amount, expected):
    assert rmb(amount) == expected
