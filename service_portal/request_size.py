"""A bound on the size of every request, answered with a clear page instead of a bare error.

Django limits the form fields of a request (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but not the files
in it: they are streamed to disk, so a client could send gigabytes to any form with a file. The
portal accepts at most ``MAX_REQUEST_BYTES`` per request (receipts 5 MB, imports 10 MB, so 12 MB
by default, as the nginx of docs/operations.md) and refuses more with 413 and a translated
page, before anything is read; form fields past Django's own limit get the same page
(``service_portal.errors.bad_request``) instead of a bare 400. The API answers in JSON.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _


class RequestSizeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        # A plain form is all fields: past Django's limit for fields it would be refused anyway.
        form_fields = request.content_type == "application/x-www-form-urlencoded"
        if length > settings.MAX_REQUEST_BYTES or (
            form_fields and length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        ):
            return too_large(request)
        return self.get_response(request)


def too_large(request: HttpRequest) -> HttpResponse:
    limit = settings.MAX_REQUEST_BYTES
    megabytes = max(1, limit // (1024 * 1024))
    if request.path.startswith("/api/"):
        detail = _("The request body is larger than %(size)s bytes.") % {"size": limit}
        return JsonResponse({"detail": detail}, status=413)
    page = loader.render_to_string("errors/413.html", {"limit": megabytes})
    return HttpResponse(page, status=413)
