"""One record per create form, however many times it is submitted.

Every create form carries a random ``submission_token`` (``SubmissionTokenMixin``; search results
that each carry an "add" form get theirs from ``with_tokens``). The view creates the record inside
``once``, the one helper for double-submit protection::

    try:
        with idempotency.once(form.cleaned_data["submission_token"], request.user) as submission:
            record = services.create_...(...)
            submission.done(record.get_absolute_url())  # where a repeat is sent
    except idempotency.AlreadySubmitted as repeat:
        return idempotency.already_saved(request, repeat, fallback)  # or re-render a section

The first request inserts the token and goes on; a repeat (double click, browser retry, back
button) raises ``AlreadySubmitted`` before anything runs. Two simultaneous requests queue on the
unique index; the second one sees the first one's row once it commits. The token is required: a
form posted without one (or with a mangled one) is refused with a form error, nothing is saved,
the typed data stays and the form gets a fresh token, so sending it again works.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from service_portal.models import FormSubmission

KEEP = datetime.timedelta(days=2)
T = TypeVar("T")

ALREADY_SAVED = _("This form had already been saved: nothing was created twice.")
MISSING_TOKEN = _(
    "This form could not be checked against double sending, so nothing was saved. "
    "Your data is still here: send the form again."
)


class RecordForm(forms.Form):
    """A form that creates a record or edits one: a create form carries a submission token
    (``SubmissionTokenMixin``), an edit form the record's version
    (``service_portal.forms.VersionMixin``)."""

    # True: edits a record; False: creates one; None: a ModelForm tells by its instance.
    editing: bool | None = None

    def __init__(self, *args: Any, editing: bool | None = None, **kwargs: Any) -> None:
        if editing is not None:
            self.editing = editing
        super().__init__(*args, **kwargs)

    def edits_record(self) -> bool:
        if self.editing is not None:
            return self.editing
        instance = getattr(self, "instance", None)
        return instance is not None and instance.pk is not None


class SubmissionTokenMixin(RecordForm):
    """A create form's token. Required: without it a double submit could create twice.
    An edit form (``edits_record``) has none."""

    submission_token = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={"required": MISSING_TOKEN, "invalid": MISSING_TOKEN},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.edits_record():
            del self.fields["submission_token"]
        elif not self.is_bound:
            self.initial["submission_token"] = uuid.uuid4()

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and "submission_token" in (self._errors or {}):
            # Shown above the form (a hidden field's error would read "(Hidden field ...)"), and
            # the form shown again carries a new token, so that sending it once more works.
            del self._errors["submission_token"]
            self.add_error(None, MISSING_TOKEN)
            data = self.data.copy()
            data[self.add_prefix("submission_token")] = str(uuid.uuid4())
            self.data = data


def with_tokens(items: Iterable[T]) -> list[T]:
    """Search results that each carry their own "add" form: every item gets the
    ``submission_token`` of its form, so a double click on one result adds it once."""
    items = list(items)
    for item in items:
        item.submission_token = uuid.uuid4()  # type: ignore[attr-defined]
    return items


def parse_token(value: Any) -> uuid.UUID | None:
    """The token of an "add" form posted without a Django form (see ``with_tokens``)."""
    try:
        return uuid.UUID(str(value or "")[:36])
    except ValueError:
        return None


class AlreadySubmitted(Exception):
    """This form's submission token was used before: its record exists already."""

    def __init__(self, earlier: FormSubmission) -> None:
        super().__init__("already submitted")
        self.earlier = earlier

    @property
    def result_url(self) -> str:
        """Where the first submission went ("" when it recorded nowhere)."""
        return self.earlier.result_url


class Submission:
    """The running submission: ``done(url)`` records where a repeat of it is sent."""

    def __init__(self, row: FormSubmission) -> None:
        self.row = row

    def done(self, result_url: str) -> None:
        self.row.result_url = result_url
        self.row.save(update_fields=["result_url"])


@contextmanager
def once(token: uuid.UUID | None, user: Any) -> Iterator[Submission]:
    """``with once(token, user): create(...)`` creates at most once per token.

    A repeat raises ``AlreadySubmitted`` before the body runs. The claim is part of the same
    transaction as the body: when the body fails (a refused value), or calls
    ``transaction.set_rollback(True)`` (nothing saved yet, e.g. warnings to confirm), the token
    is free again and the corrected form can be sent.
    """
    if token is None:
        # The forms require the token (SubmissionTokenMixin): reaching here is a view's bug.
        raise ValueError("once() needs the form's submission token")
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = FormSubmission.objects.create(token=token, user=user)
        except IntegrityError:
            earlier = FormSubmission.objects.filter(token=token, user=user).first()
            raise AlreadySubmitted(earlier or FormSubmission(token=token, user=user)) from None
        FormSubmission.objects.filter(user=user, created_at__lt=timezone.now() - KEEP).delete()
        yield Submission(row)


def already_saved(
    request: HttpRequest, repeat: AlreadySubmitted, fallback: str, message: Any = ALREADY_SAVED
) -> HttpResponse:
    """The answer to a repeated create form: say so, and go where the first one went."""
    messages.info(request, message)
    return redirect(repeat.result_url or fallback)
