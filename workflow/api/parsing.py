"""Reading API request bodies: one place for what every endpoint needs.

A body is a JSON object, or a multipart form whose `data` part holds that JSON object (or whose
fields are flat, with dotted names for nested objects) alongside uploaded files. These helpers only
bring a body into that shape (and refuse bodies too large or too deep); endpoints then take every value
from an input serializer's validated_data (workflow.api.serializers), never from the raw body.
"""

from __future__ import annotations

import json
import math

from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

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


# JSON bodies: at most this deep (objects and arrays inside each other); larger or deeper bodies
# are refused with a 413 before json.loads could recurse (a RecursionError would be a 500).
MAX_JSON_DEPTH = 32


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "too_large"
    default_detail = _lazy("The request body is too large.")


class TooDeep(exceptions.APIException):
    status_code = 413
    default_code = "too_deep"
    default_detail = _lazy("The JSON body is nested too deeply.")


def json_depth(text: str) -> int:
    """The deepest nesting of objects and arrays in a JSON text (brackets in strings ignored)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def body_limit() -> int:
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440)


def _finite_float(text: str):
    """JSON numbers too large for a float (1e400) stay text, for the field to refuse by name."""
    value = float(text)
    return value if math.isfinite(value) else text


class StrictJSONParser(JSONParser):
    """DRF's JSON parser with a size limit (413 `too_large`) and a depth limit (413 `too_deep`)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = body_limit()
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge()
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            raise exceptions.ParseError(_("The body is not valid UTF-8.")) from None
        if json_depth(text) > MAX_JSON_DEPTH:
            raise TooDeep()
        try:
            return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
        except (ValueError, RecursionError) as exc:
            raise exceptions.ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")
