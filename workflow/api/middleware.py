"""Refuse control characters in an API request's path and query string before any view runs.

A NUL byte in a URL (/api/v1/complaints/TS%00/) or a query value would reach the database, which
refuses it with an error (a 500). Bodies are the input serializers' business (workflow.api.serializers).
"""

from __future__ import annotations

import re

from django.http import JsonResponse
from django.utils.translation import gettext as _

from workflow.api.errors import error_body

_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


class ApiInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            refused = self._refused(request)
            if refused is not None:
                message = _("Remove the control characters (such as NUL) from this value.")
                return JsonResponse(error_body("invalid", message, {refused: [message]}), status=400)
        return self.get_response(request)

    @staticmethod
    def _refused(request) -> str | None:
        if _CONTROL.search(request.path_info):
            return "path"
        for name, values in request.GET.lists():
            if _CONTROL.search(name) or any(_CONTROL.search(v) for v in values):
                return name if not _CONTROL.search(name) else "query"
        return None
