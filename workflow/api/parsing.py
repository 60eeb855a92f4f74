"""Reading API request bodies: one place for what every endpoint needs.

A body is a JSON object, or a multipart form whose `data` part holds that JSON object (or whose
fields are flat, with dotted names for nested objects) alongside uploaded files. Endpoints read
values through these helpers, so that a bad value is refused the same way everywhere: a
`ValidationFailed` naming the field, which workflow.api.errors turns into a JSON 400.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Literal, overload

from django.http import QueryDict
from django.utils.translation import gettext as _

from workflow.errors import ValidationFailed

TRUE_WORDS = ("true", "1", "on", "yes")


def truthy(value) -> bool:
    """A checkbox or flag: True, "true", "1", "on" or "yes" (any case); anything else is False."""
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in TRUE_WORDS


def nest_dotted(flat: dict) -> dict:
    """{"complainant.name": "x"} → {"complainant": {"name": "x"}} (multipart forms are flat)."""
    out: dict = {}
    for key, value in flat.items():
        parts = key.split(".")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node[parts[-1]] = value
    return out


def request_body(request) -> dict:
    """The body as a dict: a JSON object, or a form's fields (the last value of each)."""
    data = request.data
    if isinstance(data, QueryDict):
        return {k: data.get(k) for k in data}
    if not isinstance(data, dict):
        raise ValidationFailed(_("Send a JSON object."), "invalid")
    return data


def multipart_json(request) -> dict | None:
    """The JSON object in a multipart form's `data` part; None when the form has no such part.

    Refused with a field error on `data` when the part is not JSON or not an object.
    """
    data = request.data
    if not isinstance(data, QueryDict) or "data" not in data:
        return None
    part = data["data"]
    not_json = ValidationFailed(_("The data part is not valid JSON."), "invalid", field="data")
    if not isinstance(part, str):  # a file uploaded under the name `data`
        raise not_json
    try:
        body = json.loads(part)
    except ValueError:
        raise not_json from None
    if not isinstance(body, dict):
        raise ValidationFailed(_("Send a JSON object."), "invalid", field="data")
    return body


def body_text(body: dict, name: str) -> str:
    """A text value, stripped; "" when missing or not a string."""
    value = body.get(name, "")
    return value.strip() if isinstance(value, str) else ""


@overload
def body_date(body: dict, name: str, *, required: Literal[True] = True) -> dt.date: ...
@overload
def body_date(body: dict, name: str, *, required: bool) -> dt.date | None: ...
def body_date(body: dict, name: str, *, required: bool = True) -> dt.date | None:
    """An ISO date (YYYY-MM-DD); None when missing and not required."""
    raw = body.get(name)
    if raw in (None, "") and not required:
        return None
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise ValidationFailed(_("Enter a date as YYYY-MM-DD."), "invalid", field=name) from None


def body_bool(body: dict, name: str, *, default=None) -> bool:
    """A strict boolean: true/false (JSON or the words); anything else is refused."""
    value = body.get(name, default)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        value = value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise ValidationFailed(_("Say true or false."), "invalid", field=name)
    return value
