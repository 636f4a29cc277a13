"""How a webhook request is signed, and how a receiver checks it.

The signature is HMAC-SHA256 with the endpoint's secret over ``"<timestamp>.<body>"`` (the
timestamp in Unix seconds, the body as the exact bytes sent), written as lowercase hex in
``X-Portal-Signature: sha256=<hex>``. The timestamp goes in ``X-Portal-Timestamp``: a receiver
refuses old ones (replays of a captured request) and compares in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Portal-Signature"
TIMESTAMP_HEADER = "X-Portal-Timestamp"
EVENT_HEADER = "X-Portal-Event"
EVENT_ID_HEADER = "X-Portal-Event-Id"
TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """True if ``signature`` is ours for this body and the timestamp is recent."""
    try:
        moment = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((time.time() if now is None else now) - moment) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, moment, body), signature or "")
