"""The service window (服务窗口): the agent (代理人) who applies for an enterprise, and the power of
attorney (授权委托书) they bring. Used by repair.services.applications.application_create when the
channel is the window."""

from __future__ import annotations

from django.utils.translation import gettext as _
from stdnum.cn import ric

from workflow.uploads import CheckedUpload, upload_check

# The power of attorney is one document: the proofs' cap per file is enough.
MAX_POWER_OF_ATTORNEY_BYTES = 10 * 1024 * 1024


def window_agent_clean(agent: dict | None) -> tuple[dict, dict[str, list[str]]]:
    """(the agent's fields for the application, errors by field "agent.<name>"). The ID number is an
    18-character resident identity card number with a valid check digit (GB 11643)."""
    agent = agent or {}
    name = str(agent.get("name") or "").strip()
    number = str(agent.get("id_number") or "").strip().upper()
    relationship = str(agent.get("relationship") or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["agent.name"] = [_("Give the agent's name.")]
    elif len(name) > 50:
        errors["agent.name"] = [_("At most 50 characters.")]
    if not number:
        errors["agent.id_number"] = [_("Give the agent's resident ID number.")]
    elif len(number) != 18 or not ric.is_valid(number):
        errors["agent.id_number"] = [_("This is not a valid 18-character resident ID number.")]
    if not relationship:
        errors["agent.relationship"] = [_("Say how the agent is related to the enterprise.")]
    elif len(relationship) > 50:
        errors["agent.relationship"] = [_("At most 50 characters.")]
    fields = {"agent_name": name, "agent_id_number": number, "agent_relationship": relationship}
    return fields, errors


def power_of_attorney_check(upload) -> CheckedUpload:
    """The power of attorney: required, a PDF, JPG or PNG by its content and its name."""
    from workflow.errors import ValidationFailed

    if upload is None:
        raise ValidationFailed(
            _("Attach the power of attorney (PDF, JPG or PNG)."), "required", field="power_of_attorney"
        )
    return upload_check(upload, field="power_of_attorney", max_bytes=MAX_POWER_OF_ATTORNEY_BYTES)
