"""Role checks shared by every app's views.

Anonymous users are sent to the login page; a logged-in user with the wrong role gets 403.
The roles and their sets are ``service_portal.roles``. Ownership checks (a technician's own
interventions and hours) live in each domain's access policy (``<app>/access.py``), whose
scoped querysets answer 404 for objects the user may not know exist.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import wraps
from typing import Any

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from service_portal.roles import has_role


def check_role(user: Any, roles: Collection[str]) -> None:
    """Raise PermissionDenied unless ``user`` has one of ``roles`` (for services and views)."""
    if not has_role(user, roles):
        raise PermissionDenied


def role_required(*roles: str) -> Callable:
    """Decorator for function views: login required, then one of ``roles``."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            check_role(request.user, roles)
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = tuple(roles)  # type: ignore[attr-defined]
        return wrapped

    return decorator


class RoleRequiredMixin(AccessMixin):
    """Class-based views: set ``allowed_roles``; anonymous -> login, wrong role -> 403."""

    allowed_roles: Collection[str] = ()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        check_role(request.user, self.allowed_roles)
        return super().dispatch(request, *args, **kwargs)
