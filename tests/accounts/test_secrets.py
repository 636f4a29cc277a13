"""Codes and secret answers."""

import pytest

from accounts import secrets as codes


def test_codes_are_long_and_use_only_unambiguous_characters():
    seen = {codes.generate_code(codes.FIRST_LOGIN_CODE_LENGTH) for _ in range(200)}
    assert len(seen) == 200
    for code in seen:
        assert len(code) == 12
        assert not set(code) & set("01OIL")


def test_typed_codes_are_normalised():
    assert codes.normalise_code(" abcd-efgh jkmn ") == "ABCDEFGHJKMN"
    assert codes.format_code("ABCDEFGHJKMN") == "ABCD-EFGH-JKMN"


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("Città di Castello", "citta di castello"),
        ("Fido", "  FIDO "),
        ("San  Benedetto", "san benedetto"),
        ("Straße", "STRASSE"),
        ("Ｍｉｌａｎｏ", "milano"),  # full-width letters (NFKC)
        ("Perù", "peru"),
    ],
)
def test_answers_compare_after_normalisation(stored, typed, db):
    assert codes.answer_matches(typed, codes.hash_answer(stored))


def test_a_different_answer_does_not_match(db):
    assert not codes.answer_matches("Rex", codes.hash_answer("Fido"))
    assert not codes.answer_matches("Fido", "")


def test_the_answer_is_not_stored_in_clear(onboarded):
    onboarded.refresh_from_db()
    assert "fido" not in onboarded.secret_answer_hash.lower()
    assert onboarded.secret_answer_hash.startswith("md5$")  # the password hasher (fast in tests)
