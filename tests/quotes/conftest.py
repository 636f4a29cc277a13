import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Service messages are asserted in English, the source language (the site default is it)."""
    with translation.override("en"):
        yield
