import pytest
from django.utils import translation

from tests.dashboard.dataset import data  # noqa: F401 - the known data set, as a fixture


@pytest.fixture(autouse=True)
def _english():
    """Figures and labels are asserted in English unless a test switches language itself."""
    with translation.override("en"):
        yield
