"""One error format for the whole API: {"code": "<stable>", "message": "<human>", "errors": {...}}.

`errors` ({field: [messages]}) appears only for validation failures. Configured as DRF's
EXCEPTION_HANDLER; `not_found` answers unknown URLs under /api/ in the same shape.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from workflow.errors import DomainError, ValidationFailed

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


class ErrorSerializer(serializers.Serializer):
    """The body of every error response (for the schema)."""

    code = serializers.CharField(help_text="Stable machine-readable code, e.g. invalid, not_found, conflict.")
    message = serializers.CharField(help_text="Human-readable explanation, in the request's language.")
    # DRF's serializer metaclass moves declared fields out of the class body, so this does not
    # replace Serializer.errors at runtime; the stubs cannot know that.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation failures only: field name -> messages.",
    )


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF error detail (dict / list / str, possibly nested) -> {"field" or "a.0.b": [messages]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = NON_FIELD if key in ("__all__", NON_FIELD) and not prefix else str(key)
            for sub, messages in _flatten(value, f"{prefix}.{name}" if prefix else name).items():
                out.setdefault(sub, []).extend(messages)
        return out
    key = prefix or NON_FIELD
    if isinstance(detail, list | tuple):
        for index, item in enumerate(detail):
            if isinstance(item, dict | list | tuple):
                for sub, messages in _flatten(item, f"{key}.{index}").items():
                    out.setdefault(sub, []).extend(messages)
            else:
                out.setdefault(key, []).append(str(item))
        return out
    return {key: [str(detail)]}


def _django_validation_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return _flatten(exc.message_dict)
    return {NON_FIELD: list(exc.messages)}


def error_body(code: str, message: str, errors: dict | None = None) -> dict:
    body: dict[str, object] = {"code": code, "message": str(message)}
    if errors is not None:
        body["errors"] = errors
    return body


def _first_message(errors: dict[str, list[str]], fallback: str) -> str:
    """The single message when there is exactly one, else the general one."""
    messages = [m for field_messages in errors.values() for m in field_messages]
    return messages[0] if len(messages) == 1 else fallback


def exception_handler(exc, context):
    """DRF EXCEPTION_HANDLER. Unknown exceptions return None (a logged 500, never a traceback shown)."""
    headers: dict[str, str] = {}
    if isinstance(exc, ValidationFailed):
        body = error_body(exc.code, exc.message, exc.errors or {})
        code = exc.http_status
    elif isinstance(exc, DomainError):
        body = error_body(exc.code, exc.message)
        code = exc.http_status
        retry_after = getattr(exc, "retry_after", None)
        if retry_after:
            headers["Retry-After"] = str(retry_after)
    elif isinstance(exc, TransitionNotAllowed | ConcurrentTransition):
        body = error_body("conflict", _("This record changed or is not in a state that allows this action."))
        code = status.HTTP_409_CONFLICT
    elif isinstance(exc, DjangoValidationError):
        errors = _django_validation_errors(exc)
        body = error_body("invalid", _first_message(errors, _("The request contains invalid data.")), errors)
        code = status.HTTP_400_BAD_REQUEST
    elif isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        body = error_body("too_large", _("The request body is too large."))
        code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    elif isinstance(exc, Http404):
        body = error_body("not_found", _("Not found."))
        code = status.HTTP_404_NOT_FOUND
    elif isinstance(exc, DjangoPermissionDenied):
        body = error_body("forbidden", _("You do not have permission to perform this action."))
        code = status.HTTP_403_FORBIDDEN
    elif isinstance(exc, exceptions.APIException):
        code = exc.status_code
        if isinstance(exc, exceptions.ValidationError):
            errors = _flatten(exc.detail)
            body = error_body("invalid", _first_message(errors, _("The request contains invalid data.")), errors)
        elif isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            # 401 with a WWW-Authenticate challenge (token auth); DRF makes it 403 when no
            # authenticator offers one. The code stays the same either way.
            body = error_body("not_authenticated", str(exc.detail))
            auth_header = getattr(exc, "auth_header", None)  # set by APIView.permission_denied
            if auth_header:
                headers["WWW-Authenticate"] = auth_header
        elif isinstance(exc, exceptions.PermissionDenied):
            body = error_body("forbidden", str(exc.detail))
        elif isinstance(exc, exceptions.NotFound):
            body = error_body("not_found", str(exc.detail))
        else:
            detail = exc.detail if isinstance(exc.detail, str) else exc.default_detail
            body = error_body(str(exc.default_code), str(detail))
            wait = getattr(exc, "wait", None)  # Throttled's seconds to wait
            if wait:
                headers["Retry-After"] = str(int(wait))
    else:
        return None
    set_rollback()
    return Response(body, status=code, headers=headers or None)


@csrf_exempt  # an unknown URL changes nothing: a POST there is a 404, not a CSRF failure
def not_found(request, *args, **kwargs):
    """Catch-all for unknown URLs under /api/: JSON, not the HTML 404 page.

    The catch-all keeps CommonMiddleware from adding a missing slash, so it does that itself
    for GET and HEAD when the slashed URL exists (/api/docs -> /api/docs/).
    """
    if request.method in ("GET", "HEAD") and not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "api-not-found":
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(request.path + "/" + (f"?{query}" if query else ""))
    return JsonResponse(error_body("not_found", _("Not found.")), status=404)


# Django's error views (config/urls.py handler400/403/404/500, CSRF_FAILURE_VIEW): JSON under
# /api/, the site's HTML pages elsewhere.


def is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _page(request, status: int, title: str, text: str, template: str | None = None):
    """The site's own error page in the site's language (never viewflow's or Django's English ones)."""
    return render(
        request,
        template or f"{status}.html",
        {"status": status, "error_title": title, "error_text": text},
        status=status,
    )


def bad_request(request, exception=None):
    if not is_api(request):
        return _page(request, 400, _("Bad request"), _("The request could not be understood. Go back and try again."))
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        return JsonResponse(error_body("too_large", _("The request body is too large.")), status=413)
    return JsonResponse(error_body("bad_request", _("The request could not be understood.")), status=400)


def permission_denied(request, exception=None):
    if not is_api(request):
        if not getattr(getattr(request, "user", None), "is_authenticated", False):
            text = _("Please log in to see this page.")
        else:
            text = _("%(name)s, your role does not give access to this page.") % {"name": request.user}
        return _page(request, 403, _("Access denied"), text)
    return JsonResponse(error_body("forbidden", _("You do not have permission to perform this action.")), status=403)


def page_not_found(request, exception=None):
    if not is_api(request):
        return _page(
            request, 404, _("Page not found"), _("The page you asked for does not exist, or it has been moved.")
        )
    return JsonResponse(error_body("not_found", _("Not found.")), status=404)


def server_error(request):
    if not is_api(request):
        return defaults.server_error(request)  # templates/500.html, rendered without a request
    return JsonResponse(
        error_body("server_error", _("Something went wrong on our side. Please try again.")), status=500
    )


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a JSON 403 `csrf_failed` under /api/, the site's page elsewhere."""
    if not is_api(request):
        return _page(
            request,
            403,
            _("The page has expired"),
            _("The form was open too long or your session ended. Go back, reload the page and submit it again."),
            template="403_csrf.html",
        )
    return JsonResponse(
        error_body("csrf_failed", _("The CSRF check failed: send the X-CSRFToken header or use a token.")),
        status=403,
    )
