"""Every API error is JSON: field -> messages for validation, {"detail": ...} otherwise."""

from __future__ import annotations

import math

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from api.parsers import RequestTooLarge

# Model fields whose API name differs (relations are written by code).
FIELD_NAMES = {"customer": "customer_code", "site": "site_code", "product": "product_code"}


def as_api_errors(exc: DjangoValidationError) -> dict[str, list[str]] | list[str]:
    """A model's ValidationError as the API's JSON body (same shape as DRF's own errors)."""
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    errors: dict[str, list[str]] = {}
    for name, messages in exc.message_dict.items():
        key = api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name
        errors.setdefault(FIELD_NAMES.get(key, key), []).extend(messages)
    return errors


def handle(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_api_errors(exc))
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge(
            _("The request body is larger than %(size)s bytes.")
            % {"size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
        )
    elif isinstance(exc, SuspiciousOperation):  # Django's 400s, as JSON like every API error
        exc = exceptions.ParseError()
    elif isinstance(exc, exceptions.Throttled) and not isinstance(exc, TokenThrottled):
        exc = TokenThrottled(exc.wait)
    return exception_handler(exc, context)


class TokenThrottled(exceptions.Throttled):
    """429 with ``Retry-After`` (DRF sets it from ``wait``) and a message in the request's
    language (DRF's own wording has no Italian for its second sentence)."""

    def __init__(self, wait: float | None = None) -> None:
        seconds = max(1, math.ceil(wait or 1))
        detail = ngettext(
            "Too many requests with this token: try again in %(seconds)d second.",
            "Too many requests with this token: try again in %(seconds)d seconds.",
            seconds,
        ) % {"seconds": seconds}
        exceptions.APIException.__init__(self, detail)
        self.wait = seconds
