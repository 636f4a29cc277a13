"""Background work through Django's tasks framework (the django-tasks backport on Django 5.2).

With ``TASKS_BACKEND=immediate`` (development, tests) a task runs inside the request that
queued it; with ``database`` a ``manage.py db_worker`` process picks it up. Either way it is
queued only after the surrounding transaction commits, and it receives primary keys, not
objects, so it reads the committed state.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction


def enqueue_after_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs))
