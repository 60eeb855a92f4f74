"""What the public sees of a natural person: a masked name, a masked ID number."""


def mask_name(name: str) -> str:
    """王小明 → 王**: what the public sees of a natural person's name."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def mask_id_number(number: str) -> str:
    """An 18-character resident ID number keeps its first 6 and last 4 characters; anything else is all stars."""
    number = number or ""
    return number[:6] + "*" * 8 + number[-4:] if len(number) == 18 else "*" * len(number)
