"""Whatever an API client sends, the answer is JSON with a 4xx status, never a server error.

The probe found two 500s: ``after_id=²`` (a Unicode digit: ``str.isdigit`` says yes, ``int``
says no) and a deeply nested JSON body (RecursionError in the json module).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/customers/", "/api/v1/units/", "/api/v1/spare-parts/", "/api/v1/invoices/"]
BAD_IDS = ["²", "١٢", "¹²³", "-1", "1e3", "0x10", "9" * 30, "1.5", "\x00", " ", "12abc"]


def _json_4xx(response, expected: int = 400) -> dict:
    assert response.status_code == expected, (response.status_code, response.content[:200])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("value", BAD_IDS)
def test_after_id_that_is_no_ascii_number_is_a_json_400(api, url, value):
    body = _json_4xx(api.get(url, {"after_id": value}))
    assert "after_id" in body


def test_after_id_zero_and_ordinary_numbers_still_work(api):
    assert api.get("/api/v1/customers/", {"after_id": "0"}).status_code == 200
    assert api.get("/api/v1/customers/", {"after_id": " 12 "}).status_code == 200


@pytest.mark.parametrize("value", ["²", "x", "2026-13-40T99:99", "\x00", "9" * 40])
def test_updated_since_malformed_is_a_json_400(api, value):
    assert "updated_since" in _json_4xx(api.get(LISTS[0], {"updated_since": value}))


WRITES = [
    ("put", "/api/v1/customers/by-code/C-1/"),
    ("put", "/api/v1/sites/by-code/S-1/"),
    ("put", "/api/v1/units/by-code/U-1/"),
    ("put", "/api/v1/spare-parts/by-code/P-1/"),
    ("post", "/api/v1/spare-parts/stock-levels/"),
]


@pytest.mark.parametrize(("method", "url"), WRITES)
@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # deeper than Python's recursion limit
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        b'{"name": NaN}',
        b'{"name": Infinity}',
        b"\xff\xfe\x00garbage",
        b'{"name": "unterminated',
        b"",
        b"null",
        b'"just a string"',
        b"[1, 2, 3]",
    ],
    ids=lambda body: repr(body[:12]),
)
def test_malformed_json_bodies_are_json_400s(api, method, url, body):
    response = getattr(api, method)(url, body, content_type="application/json")
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:200])
    assert response["Content-Type"].startswith("application/json")
    response.json()


def test_a_body_larger_than_the_limit_is_a_json_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = b'{"name": "' + b"x" * 2000 + b'"}'
    response = api.put("/api/v1/customers/by-code/C-1/", body, content_type="application/json")
    assert "detail" in _json_4xx(response, 413)


def test_other_media_types_are_json_415(api):
    response = api.put("/api/v1/customers/by-code/C-1/", b"name=x", content_type="text/plain")
    _json_4xx(response, 415)
