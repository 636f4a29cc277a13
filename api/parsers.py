"""The API's JSON parser: every malformed body is a JSON 400 (or 413), never a server error.

DRF's parser turns invalid JSON into a 400, but not what Python's json module cannot even
finish: a body nested thousands of levels deep raises RecursionError (a 500). And DRF reads the
body from the stream, past Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``: here the body is bounded
by that setting (413) before it is decoded; bytes that are not UTF-8, NaN and Infinity are 400s.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge(
                _("The request body is larger than %(size)s bytes.") % {"size": limit}
            )
        try:
            text = raw.decode((parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET)
        except UnicodeDecodeError:
            raise ParseError(_("The request body is not valid UTF-8.")) from None
        try:
            return json.loads(text, parse_constant=_no_constants)
        except (ValueError, RecursionError) as exc:
            raise ParseError(_("JSON parse error: %(error)s") % {"error": exc}) from None


def _no_constants(name: str):
    raise ValueError(f"{name} is not valid JSON")
