"""Per-request values that lower layers need without threading them through every call."""

import contextvars

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("govcredit_request_id", default="")


def current_request_id() -> str:
    return request_id_var.get()
