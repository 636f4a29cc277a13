"""Forms sent later by the phone's outbox (docs/architecture.md, "Working without signal").

A technician's job page works without signal: a form submitted offline is kept on the phone
(IndexedDB, ``static/js/outbox.js``) and sent when the connection returns, by the page or by the
service worker. Such a *queued* request carries:

- ``X-Portal-Queue: 1``, so the view answers in JSON (``answer``) instead of a page: the outbox
  must know whether the entry was saved, already saved, refused or in conflict;
- ``X-Portal-Queue-User``: the user who typed it. A phone shared after a session expired must
  never send one person's entries under another's session (``wrong_sender``);
- the form's own ``submission_token``: a request sent twice (the answer lost on the way back)
  saves once (``service_portal.idempotency``);
- ``record_version``: the version of the job (``Versioned``) on the copy the technician saw.
  When the office changed the job meanwhile, the entry is refused with ``CONFLICT_MESSAGE``
  (409), kept on the phone and shown, never saved over a change the technician has not seen.
  A form without ``record_version`` (sent online, from a fresh page) is not checked.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

QUEUE_HEADER = "X-Portal-Queue"
USER_HEADER = "X-Portal-Queue-User"
VERSION_FIELD = "record_version"

CONFLICT_MESSAGE = gettext_lazy(
    "The office changed this job after the copy you worked on: this entry has not been saved. "
    "Open the job to see the current data, then send the entry anyway or discard it."
)

SAVED = "saved"
ALREADY_SAVED = "already_saved"
REFUSED = "refused"
CONFLICT = "conflict"
WRONG_USER = "wrong_user"


def is_queued(request: HttpRequest) -> bool:
    """Sent by the outbox (it wants a JSON answer)."""
    return request.headers.get(QUEUE_HEADER) == "1"


def seen_version(request: HttpRequest) -> int | None:
    """The job's version on the copy the entry was typed on; None when not sent (or garbled,
    which the outbox never sends: treated as absent rather than as a conflict)."""
    value = request.POST.get(VERSION_FIELD, "")
    return int(value) if value.isdigit() else None


def is_stale(request: HttpRequest, current: int) -> bool:
    """The entry was typed on a copy of the job older than its ``current`` version."""
    seen = seen_version(request)
    return seen is not None and seen != current


class StaleCopy(Exception):
    """The office changed the job after the copy the entry was typed on."""

    def __init__(self, version: int) -> None:
        super().__init__(str(CONFLICT_MESSAGE))
        self.version = version
        self.message = CONFLICT_MESSAGE


def check_fresh(request: HttpRequest, model: type[Model], pk: int) -> None:
    """Inside the saving transaction: lock the job's row and raise ``StaleCopy`` when the entry
    carries a ``record_version`` other than the row's. Called after the submission token is
    claimed, so a repeat of an entry saved before the office's change says "already saved"."""
    seen = seen_version(request)
    if seen is None:
        return
    current = model._default_manager.select_for_update().values_list("version", flat=True)
    version = current.get(pk=pk)
    if version != seen:
        raise StaleCopy(version)


def wrong_sender(request: HttpRequest) -> JsonResponse | None:
    """A queued entry typed by someone other than the signed-in user: refused (403)."""
    if not is_queued(request):
        return None
    if request.headers.get(USER_HEADER, "") == str(request.user.pk):
        return None
    return answer(
        WRONG_USER,
        _("This entry was typed by another user on this phone: it has not been sent."),
        status=403,
    )


def answer(outcome: str, message: Any = "", *, status: int = 200, version: int | None = None):
    """The JSON answer to a queued request: ``outcome`` (saved, already_saved, refused,
    conflict, wrong_user), a message for the technician, the job's version after it."""
    return JsonResponse(
        {"outcome": outcome, "message": str(message), "version": version}, status=status
    )


def conflict(version: int) -> JsonResponse:
    return answer(CONFLICT, CONFLICT_MESSAGE, status=409, version=version)


def refused(message: Any, version: int | None = None) -> JsonResponse:
    """The entry cannot be saved as typed (a form error, a rule of the service): 422."""
    return answer(REFUSED, message, status=422, version=version)


def form_errors(form: Any) -> str:
    """A form's errors as one line (the outbox shows it under the entry)."""
    return "; ".join(str(error) for errors in form.errors.values() for error in errors)
