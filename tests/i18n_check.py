"""Find English source text left untranslated in a page or a document of another language.

The msgids of every catalogue are the portal's English texts. A msgid whose translation in the
language differs from it must not show up in that language's pages: if it does, something was
rendered outside gettext or the catalogue misses it. Texts that are also a translation in that
language ("Note" is Italian for "Notes") and texts with placeholders are not checked.
"""

from __future__ import annotations

import functools
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PLACEHOLDER = re.compile(r"%(\([^)]*\))?[sd]|\{[^}]*\}")


def catalogues(language: str) -> list[Path]:
    found = ROOT.glob(f"*/locale/{language}/LC_MESSAGES/django.po")
    return sorted(p for p in found if ".venv" not in p.parts)


@functools.cache
def english_only(language: str) -> frozenset[str]:
    """The English texts that must not appear verbatim in ``language`` (empty for English)."""
    if language == "en":
        return frozenset()
    msgids: set[str] = set()
    translations: set[str] = set()
    # Every msgid of the portal (the Italian catalogues are the complete list of them).
    for path in catalogues("it"):
        msgids.update(e.msgid for e in polib.pofile(str(path)) if not e.obsolete)
    for path in catalogues(language):
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            if entry.msgstr:
                translations.add(entry.msgstr)
                if entry.msgstr == entry.msgid:
                    msgids.discard(entry.msgid)
            translations.update(v for v in entry.msgstr_plural.values() if v)
    return frozenset(
        m
        for m in msgids
        if m not in translations
        and not PLACEHOLDER.search(m)
        and re.search(r"[A-Za-z]{2}", m)
        and "\n" not in m
    )


class _TextNodes(HTMLParser):
    SKIP = {"script", "style"}
    ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skipping += 1
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                self.nodes.append(value)

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.nodes.append(data)


def _normal(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split()).strip(" :·–—-*")


def leftovers_in_html(html: str, language: str) -> set[str]:
    """English msgids that are a whole text node (or user-visible attribute) of the page."""
    parser = _TextNodes()
    parser.feed(html)
    english = english_only(language)
    return {node for node in map(_normal, parser.nodes) if node in english}


def leftovers_in_text(text: str, language: str) -> set[str]:
    """English msgids of two words or more found in a document's text (e.g. a PDF)."""
    flat = _normal(text)
    found = set()
    for msgid in english_only(language):
        if " " in msgid and re.search(rf"(?<!\w){re.escape(msgid)}(?!\w)", flat):
            found.add(msgid)
    lines = {_normal(line) for line in text.splitlines()}
    return found | (lines & english_only(language))
