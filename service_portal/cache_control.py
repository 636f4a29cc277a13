"""No copy of a portal page or document in any cache: ``Cache-Control: no-store``.

Signed-in pages, documents (PDF, XML, CSV, Excel, calendars), API answers and the customer's
acceptance page carry customers' and people's data: a shared computer's browser cache, a proxy
or the back button after logging out must not keep or show them. Every response gets
``no-store`` (with Django's ``add_never_cache_headers``) unless it already says how it may be
cached: WhiteNoise's static files keep their far-future headers.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
