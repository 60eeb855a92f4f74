"""Amounts of money as they appear on formal documents: in figures and in Chinese capitals (大写).

The capitals follow the rules for filling in bills and settlement vouchers (《支付结算办法》附件一
《正确填写票据和结算凭证的基本规定》): 壹贰叁… with 拾佰仟万亿, one 零 for a run of zeros inside the
number, 整 after 元 when there are no 角 or 分, and 零 between 元 and 分 when 角 is zero.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("仟", "佰", "拾", "")  # inside a group of four digits, high to low
GROUPS = ("", "万", "亿", "万亿")  # groups of four digits, low to high
FEN = Decimal("0.01")
LIMIT = Decimal(10) ** 16  # 万亿 groups end here


def to_decimal(amount) -> Decimal:
    """Decimal from a Decimal, int or string (as frozen in a document's JSON context)."""
    if isinstance(amount, Decimal):
        value = amount
    elif isinstance(amount, bool):
        raise ValueError(f"not an amount: {amount!r}")
    elif isinstance(amount, int | str):
        try:
            value = Decimal(str(amount).strip().replace(",", ""))
        except InvalidOperation as exc:
            raise ValueError(f"not an amount: {amount!r}") from exc
    elif isinstance(amount, float):
        value = Decimal(repr(amount))
    else:
        raise ValueError(f"not an amount: {amount!r}")
    if not value.is_finite():
        raise ValueError(f"not an amount: {amount!r}")
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def _group_capital(group: int) -> str:
    """1..9999 in capitals, with 零 for inner zeros (1005 → 壹仟零伍); no leading or trailing 零."""
    out: list[str] = []
    zero_pending = False
    for digit_char, place in zip(f"{group:04d}", PLACES, strict=True):
        digit = int(digit_char)
        if digit == 0:
            zero_pending = bool(out)
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(DIGITS[digit] + place)
    return "".join(out)


def _integer_capital(number: int) -> str:
    groups = []
    while number:
        number, group = divmod(number, 10000)
        groups.append(group)
    out, zero_pending = "", False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            zero_pending = bool(out)
            continue
        # One 零 for a gap: a whole zero group before, or leading zeros in this group.
        if out and (zero_pending or group < 1000):
            out += "零"
        out += _group_capital(group) + GROUPS[index]
        zero_pending = False
    return out


def rmb_capital(amount) -> str:
    """Financial capitals of a non-negative amount in yuan, rounded half-up to the fen.

    >>> rmb_capital(Decimal("10010.01"))
    '壹万零壹拾元零壹分'
    """
    value = to_decimal(amount)
    if value < 0:
        raise ValueError(f"negative amount: {amount!r}")
    if value >= LIMIT:
        raise ValueError(f"amount too large: {amount!r}")
    fen_total = int(value * 100)
    if fen_total == 0:
        return "零元整"
    yuan, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)
    out = _integer_capital(yuan) + "元" if yuan else ""
    if jiao:
        out += DIGITS[jiao] + "角"
    elif fen and yuan:
        out += "零"
    if fen:
        out += DIGITS[fen] + "分"
    elif not jiao:
        out += "整"
    return out


def rmb(amount) -> str:
    """Figures with the yuan sign and thousands separators: ¥100,000.00 (negative: -¥5.00)."""
    value = to_decimal(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"
