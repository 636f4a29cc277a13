"""The users' guides: one per role in every documented language, and every picture they show is
there (the screenshots come from tests/e2e/test_main_journey.py with SCREENSHOTS=1)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
# role: (English guide, Italian guide)
GUIDES = {
    "operator": ("guide-operator.md", "it/guida-operatore.md"),
    "technician": ("guide-technician.md", "it/guida-tecnico.md"),
    "administrator": ("guide-administrator.md", "it/guida-amministratore.md"),
}
ALL_GUIDES = [path for pair in GUIDES.values() for path in pair]
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s#]+\.md)\)")


@pytest.mark.parametrize("role", sorted(GUIDES))
def test_every_role_has_a_guide_in_english_and_in_italian(role):
    english, italian = (DOCS / path for path in GUIDES[role])
    assert english.is_file(), english
    assert italian.is_file(), italian
    # each links to the other language, so a reader finds their own
    assert f"({Path('it') / italian.name})" in english.read_text(encoding="utf-8")
    assert f"(../{english.name})" in italian.read_text(encoding="utf-8")


@pytest.mark.parametrize("guide", ALL_GUIDES)
def test_every_image_and_link_of_a_guide_exists(guide):
    path = DOCS / guide
    text = path.read_text(encoding="utf-8")
    images = IMAGE.findall(text)
    assert images, f"{guide} shows no screenshot"
    language = "it" if guide.startswith("it/") else "en"
    for image in images:
        target = (path.parent / image).resolve()
        assert target.is_file(), f"{guide}: missing image {image}"
        assert target.parent.name == language, f"{guide} shows a screenshot of another language"
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{guide}: {image} is not a PNG"
    for link in LINK.findall(text):
        assert (path.parent / link).resolve().is_file(), f"{guide}: broken link {link}"
