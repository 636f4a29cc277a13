"""One record per create form, however many times it is submitted.

A create form carries a random ``submission_token`` (see ``SubmissionTokenMixin``). The view
calls ``claim`` inside the transaction that creates the record: the first request inserts the
token and goes on; a repeat (double click, browser retry, back button) finds it and is sent to
what the first request created. Two simultaneous requests queue on the unique index; the second
one sees the first one's row once it commits.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django import forms
from django.db import IntegrityError, transaction
from django.utils import timezone

from service_portal.models import FormSubmission

KEEP = datetime.timedelta(days=2)
T = TypeVar("T")


class SubmissionTokenMixin(forms.Form):
    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["submission_token"] = uuid.uuid4()


def with_tokens(items: Iterable[T]) -> list[T]:
    """Search results that each carry their own "add" form: every item gets the
    ``submission_token`` of its form, so a double click on one result adds it once."""
    items = list(items)
    for item in items:
        item.submission_token = uuid.uuid4()
    return items


def claim(token: uuid.UUID | None, user: Any) -> FormSubmission | None:
    """Claim ``token`` for this submission.

    Returns None when this is the first submission (the caller goes on and then calls
    ``complete``), or the earlier submission when the form was already processed.
    Must run inside the transaction that creates the record.
    """
    if token is None:
        return None
    try:
        with transaction.atomic():
            FormSubmission.objects.create(token=token, user=user)
    except IntegrityError:
        return FormSubmission.objects.filter(token=token, user=user).first() or FormSubmission(
            token=token, user=user
        )
    FormSubmission.objects.filter(user=user, created_at__lt=timezone.now() - KEEP).delete()
    return None


def complete(token: uuid.UUID | None, result_url: str) -> None:
    if token is not None:
        FormSubmission.objects.filter(token=token).update(result_url=result_url)


class AlreadySubmitted(Exception):
    """This form's submission token was used before: its record exists already."""

    def __init__(self, earlier: FormSubmission) -> None:
        super().__init__("already submitted")
        self.earlier = earlier


@contextmanager
def once(token: uuid.UUID | None, user: Any) -> Iterator[None]:
    """``with once(token, user): create(...)`` creates at most once per token.

    A repeat raises ``AlreadySubmitted`` before the body runs. The claim is part of the same
    transaction as the body: when the body fails (a refused value), or calls
    ``transaction.set_rollback(True)`` (nothing saved yet, e.g. warnings to confirm), the token
    is free again and the corrected form can be sent.
    """
    with transaction.atomic():
        earlier = claim(token, user)
        if earlier is not None:
            raise AlreadySubmitted(earlier)
        yield
