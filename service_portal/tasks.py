"""Background work through Django's tasks framework (the django-tasks backport on Django 5.2).

With ``TASKS_BACKEND=database`` (production) a ``manage.py db_worker`` process picks a task up;
with ``immediate`` (development, tests) it runs inside the request that queued it. Either way it
is queued only after the surrounding transaction commits, and it receives primary keys, not
objects, so it reads the committed state.

Some requests must not take longer when they send mail: the answer to a password-recovery
request would otherwise tell whether the account exists (a mail is sent only then).
``enqueue_after_response`` queues such work once the response has been handed to the client:
with the database queue that is one insert like any other; with the immediate backend the task
runs when the server closes the response (``AfterResponseMiddleware``), after the client has
received every byte of it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django_tasks.backends.immediate import ImmediateBackend

_after_response: ContextVar[list[Callable[[], None]] | None] = ContextVar(
    "after_response", default=None
)


def enqueue_after_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs))


def enqueue_after_response(task: Any, *args: Any, **kwargs: Any) -> None:
    """Queue ``task`` after the commit, and never make the current response wait for it."""

    def queue() -> None:
        pending = _after_response.get()
        if pending is None or not isinstance(task.get_backend(), ImmediateBackend):
            task.enqueue(*args, **kwargs)  # a queue: the request only stores the task
        else:
            pending.append(lambda: task.enqueue(*args, **kwargs))

    transaction.on_commit(queue)


class AfterResponseMiddleware:
    """Runs the work ``enqueue_after_response`` kept aside when the server closes the response.

    The WSGI server calls ``close()`` once the body has been written to the client (Django's
    test client does the same), so the client's wait never includes that work.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        pending: list[Callable[[], None]] = []
        token = _after_response.set(pending)
        try:
            response = self.get_response(request)
        finally:
            _after_response.reset(token)
        if pending:
            response._resource_closers.append(lambda: _run(pending))
        return response


def _run(work: list[Callable[[], None]]) -> None:
    for item in work:
        item()  # the immediate backend records a failing task itself; it never raises here
