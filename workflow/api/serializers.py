"""Strict input for the whole API: one base serializer, fields that refuse hostile values.

Every endpoint parses its body (and its query parameters) with an `InputSerializer`. Its fields
are made strict when the serializer is built, whatever DRF field class a module declared:

- text refuses NUL and other control characters (single-line text also refuses line breaks and
  tabs), lone surrogates, and strings over max_length (refused naming the limit, never cut);
- integers refuse non-ASCII digits ("²", full-width "１２") and values outside the field's
  range (bigint when the field names none);
- decimals refuse non-finite values (Infinity, NaN, 1e400), exponents and too many digits or
  decimals (1000.005 for an amount is refused, never rounded);
- dates refuse years outside 1990-2100, date-times also offsets beyond ±14:00.

The 400 lists every field's errors at once (DRF collects them; workflow.api.errors renders them).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from workflow.errors import ValidationFailed

BIGINT_MIN = -(2**63)
BIGINT_MAX = 2**63 - 1
YEAR_MIN, YEAR_MAX = 1990, 2100
MAX_UTC_OFFSET = dt.timedelta(hours=14)
# Text with max_length up to this is one line (names, numbers, codes); longer or unbounded text
# (facts, reasons, notes) may hold line breaks and tabs.
SINGLE_LINE_MAX = 200

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_ASCII_INTEGER = re.compile(r"-?[0-9]+(\.0+)?")
_ASCII_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


class StrictCharField(serializers.CharField):
    default_error_messages = {
        "control_characters": _("Remove the control characters (such as NUL) from this text."),
    }

    def to_internal_value(self, data):
        # Numbers as text are fine; lists, dicts and booleans are not.
        if not isinstance(data, str) and (isinstance(data, bool) or not isinstance(data, int | float)):
            self.fail("invalid")
        value = super().to_internal_value(str(data))
        multiline = getattr(self, "multiline", None)
        if multiline is None:
            multiline = self.max_length is None or self.max_length > SINGLE_LINE_MAX
        if (_CONTROL if multiline else _CONTROL_SINGLE_LINE).search(value):
            self.fail("control_characters")
        return value


class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {
        "out_of_range": _("Enter a whole number between {min} and {max}."),
    }

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, float) and not math.isfinite(data):
            self.fail("invalid")
        if isinstance(data, str):
            if len(data) > self.MAX_STRING_LENGTH:
                self.fail("max_string_length")
            if not _ASCII_INTEGER.fullmatch(data.strip()):
                self.fail("invalid")
        value = super().to_internal_value(data)
        if not BIGINT_MIN <= value <= BIGINT_MAX:  # the field's own bounds are its validators'
            self.fail("out_of_range", min=BIGINT_MIN, max=BIGINT_MAX)
        return value


class StrictDecimalField(serializers.DecimalField):
    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, float):
            if not math.isfinite(data):
                self.fail("invalid")
            data = repr(data)
            if "e" in data or "E" in data:
                data = format(Decimal(data), "f")
        if isinstance(data, str):
            if len(data) > self.MAX_STRING_LENGTH:
                self.fail("max_string_length")
            if not _ASCII_DECIMAL.fullmatch(data.strip()):
                self.fail("invalid")
        return super().to_internal_value(data)


YEAR_RANGE_MESSAGE = _("Enter a date between the years {min} and {max}.")


def _check_year(field: serializers.Field, value: dt.date) -> None:
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        field.fail("year_range", min=YEAR_MIN, max=YEAR_MAX)


class StrictDateField(serializers.DateField):
    default_error_messages = {"year_range": YEAR_RANGE_MESSAGE}

    def to_internal_value(self, value):
        if isinstance(value, str) and not value.isascii():
            self.fail("invalid", format="YYYY-MM-DD")
        result = super().to_internal_value(value)
        _check_year(self, result)
        return result


class StrictDateTimeField(serializers.DateTimeField):
    default_error_messages = {
        "year_range": YEAR_RANGE_MESSAGE,
        "offset_range": _("A time zone offset is at most ±14:00."),
    }

    def to_internal_value(self, value):
        if isinstance(value, str) and not value.isascii():
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss][+HH:MM]")
        if isinstance(value, str):
            try:
                parsed = dt.datetime.fromisoformat(value.strip())
            except ValueError:
                parsed = None
            offset = parsed.utcoffset() if parsed is not None else None
            if offset is not None and abs(offset) > MAX_UTC_OFFSET:
                self.fail("offset_range")
        result = super().to_internal_value(value)
        _check_year(self, result)
        return result


class StrictFloatField(serializers.FloatField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or (isinstance(data, str) and not _ASCII_DECIMAL.fullmatch(data.strip())):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("invalid")
        return value


class TrueFalseField(serializers.BooleanField):
    """A strict flag: JSON true/false or the words "true"/"false" (any case); 1, "yes" or "on" are refused.

    Required unless told otherwise; missing, null and anything else answer "Say true or false."
    """

    default_error_messages = {
        "invalid": _("Say true or false."),
        "required": _("Say true or false."),
        "null": _("Say true or false."),
    }

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        if isinstance(data, str) and data.strip().lower() in ("true", "false"):
            return data.strip().lower() == "true"
        self.fail("invalid")


# DRF field class -> its strict version. Subclasses of a DRF field not listed here (choice,
# boolean, file and list fields) keep their own parsing: they accept only listed values.
STRICT: dict[type, type] = {
    serializers.CharField: StrictCharField,
    serializers.IntegerField: StrictIntegerField,
    serializers.DecimalField: StrictDecimalField,
    serializers.DateField: StrictDateField,
    serializers.DateTimeField: StrictDateTimeField,
    serializers.FloatField: StrictFloatField,
}


def harden(field: serializers.Field) -> serializers.Field:
    """Make one (already built) field strict, and the fields inside it."""
    strict = STRICT.get(type(field))
    if strict is not None:
        field.__class__ = strict
        messages: dict = {}
        for cls in reversed(strict.__mro__):
            messages.update(getattr(cls, "default_error_messages", {}))
        field.error_messages = {**messages, **field.error_messages}
    elif isinstance(field, serializers.ListSerializer):
        harden(field.child)  # type: ignore[arg-type]
    elif isinstance(field, serializers.BaseSerializer) and not isinstance(field, InputSerializer):
        raise ImproperlyConfigured(f"{type(field).__name__} is nested in an input serializer: make it one too.")
    elif isinstance(field, serializers.ListField | serializers.DictField):
        harden(field.child)
    return field


class InputSerializer(serializers.Serializer):
    """The base of every API input serializer (bodies and query parameters): strict fields."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            harden(field)
        return fields


def _drop(data, path: list[str]):
    """A copy of `data` without the value at a dotted path ("obligations.0.amount")."""
    if not path:
        return None
    head, rest = path[0], path[1:]
    if isinstance(data, dict) and head in data:
        copy = dict(data)
        if rest:
            copy[head] = _drop(data[head], rest)
        else:
            del copy[head]
        return copy
    if isinstance(data, list) and head.isdecimal() and int(head) < len(data):
        copy_list = list(data)
        copy_list[int(head)] = _drop(data[int(head)], rest) if rest else None
        return copy_list
    return data


def validate_input(serializer_class: type[InputSerializer], data, *, then: Callable[[dict], object] | None = None):
    """The serializer's validated data, or a ValidationFailed listing every field error at once.

    `then` is a service's own check of the same body (side-effect free, raising ValidationFailed with
    {field: [messages]}): when the values are refused, it still runs on the body without the refused
    values, so that the answer also names the fields only the service checks (a bad code, a missing
    name) — a client learns every problem in one answer.
    """
    from workflow.api.errors import _flatten

    serializer = serializer_class(data=data)
    if serializer.is_valid():
        return serializer.validated_data
    errors = _flatten(serializer.errors)
    if then is not None and isinstance(data, dict):
        clean = data
        for key in errors:
            clean = _drop(clean, key.split("."))
        try:
            then(clean)
        except ValidationFailed as exc:
            for key, messages in (exc.errors or {}).items():
                if not any(key == k or key.startswith(k + ".") or k.startswith(key + ".") for k in errors):
                    errors[key] = list(messages)
    raise ValidationFailed(
        _("Please correct the marked fields.") if len(errors) != 1 else next(iter(errors.values()))[0],
        "invalid",
        errors=errors,
    )
