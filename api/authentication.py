"""Bearer-token authentication and per-token scopes for the REST API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.models import ApiToken
from api.services import find_token, record_use


class ApiClient:
    """The caller of an API request: a token, not a portal user (it has no role, only scopes)."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    pk = None

    def __init__(self, token: ApiToken) -> None:
        self.token = token

    def __str__(self) -> str:
        return str(self.token)


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer sp_...``. A missing header leaves the request anonymous (401 from
    the permission check); a malformed, unknown or revoked token is refused at once (401)."""

    keyword = "Bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid Authorization header: use 'Bearer <token>'.")
            )
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            secret = ""
        token = find_token(secret) if secret else None
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.is_active:
            raise exceptions.AuthenticationFailed(_("This token has been revoked."))
        record_use(token=token)
        return ApiClient(token), token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class HasScope(BasePermission):
    """The view names ``read_scope`` and ``write_scope``; the token must hold the one needed."""

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        scope = view.read_scope if request.method in SAFE_METHODS else view.write_scope
        if scope and token.has_scope(scope):
            return True
        self.message = _("This token lacks the scope %(scope)s.") % {"scope": scope or "-"}
        return False
