"""Issuing and revoking API tokens (the admin and the create_api_token command use these)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken, Scope

TOKEN_PREFIX = "sp"  # noqa: S105 (not a secret) every secret starts with "sp_": easy to spot in logs and secret scanners


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> tuple[str, str]:
    """A random secret and the prefix (stored in clear) that finds its token."""
    prefix = secrets.token_hex(4)
    return prefix, f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"


@transaction.atomic
def create_token(
    *, name: str, scopes: Iterable[str], created_by: Any = None
) -> tuple[ApiToken, str]:
    """Create a token; return it with its secret, which is not stored and cannot be shown again."""
    scopes = sorted(set(scopes))
    unknown = [s for s in scopes if s not in Scope.values]
    if unknown:
        raise ValidationError(
            _("Unknown scopes: %(scopes)s. Known scopes: %(known)s.")
            % {"scopes": ", ".join(unknown), "known": ", ".join(Scope.values)}
        )
    if not name.strip():
        raise ValidationError(_("A token needs a name."))
    prefix, secret = new_secret()
    token = ApiToken.objects.create(
        name=name.strip(),
        prefix=prefix,
        secret_hash=hash_secret(secret),
        scopes=scopes,
        created_by=created_by if getattr(created_by, "pk", None) else None,
    )
    return token, secret


def revoke_token(*, token: ApiToken) -> None:
    """Refuse the token from now on; the row stays for the record."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def find_token(secret: str) -> ApiToken | None:
    """The token with this secret, revoked or not; None when it does not exist."""
    parts = secret.split("_")
    if len(parts) < 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.secret_hash, hash_secret(secret)):
        return None
    return token


# Recording every use would write on every request; once a minute says enough.
LAST_USED_RESOLUTION_SECONDS = 60


def record_use(*, token: ApiToken) -> None:
    now = timezone.now()
    last = token.last_used_at
    if last is None or (now - last).total_seconds() >= LAST_USED_RESOLUTION_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
