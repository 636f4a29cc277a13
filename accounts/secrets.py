"""Codes and answers: how they are generated, normalised and hashed.

Identification and recovery codes are long random strings, so a fast keyed hash (HMAC-SHA256)
is enough to keep them unreadable in the database while still letting us look a code up.
Secret answers are low-entropy human text: they get the slow password hasher, like passwords.
"""

from __future__ import annotations

import hmac
import re
import secrets
import unicodedata

from django.contrib.auth.hashers import check_password, make_password
from django.utils.crypto import salted_hmac

# No 0/O, 1/I/L: a code read aloud on the phone or copied from paper cannot be misread.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
FIRST_LOGIN_CODE_LENGTH = 12  # 31^12 ≈ 2^59
RECOVERY_CODE_LENGTH = 8  # 31^8 ≈ 2^40, valid minutes and throttled
_SEPARATORS = re.compile(r"[\s\-]+")


def generate_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def format_code(code: str) -> str:
    """ABCD-EFGH-JKMN: groups of four are easier to read and type."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_code(raw: str | None) -> str:
    return _SEPARATORS.sub("", raw or "").upper()


def looks_like_code(value: str, length: int) -> bool:
    return len(value) == length and all(c in CODE_ALPHABET for c in value)


def hash_code(code: str, *, purpose: str) -> str:
    return salted_hmac(f"accounts.code.{purpose}", code, algorithm="sha256").hexdigest()


def code_matches(code: str, stored_hash: str, *, purpose: str) -> bool:
    return bool(stored_hash) and hmac.compare_digest(hash_code(code, purpose=purpose), stored_hash)


def normalise_answer(answer: str) -> str:
    """The same answer typed differently compares equal.

    NFKC folds compatibility forms (full-width letters, ligatures), casefold handles case
    (ß -> ss), accents are dropped (Città == citta), and any run of spaces counts as one.
    """
    text = unicodedata.normalize("NFKC", answer or "").casefold()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(text.split())


def normalise_username(username: str) -> str:
    """A typed username as recovery compares it: NFKC (full-width and other look-alike forms
    become plain letters) and trimmed; the account is then found regardless of case."""
    return unicodedata.normalize("NFKC", username or "").strip()


def hash_answer(answer: str) -> str:
    return make_password(normalise_answer(answer))


def answer_matches(answer: str, stored_hash: str) -> bool:
    if not stored_hash:
        # Spend the same time as a real check: a missing answer must not be told apart.
        make_password(normalise_answer(answer))
        return False
    return check_password(normalise_answer(answer), stored_hash)
