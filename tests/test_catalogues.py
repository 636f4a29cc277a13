"""Every gettext catalogue of the portal is complete: no untranslated or fuzzy entries.

English is the source language (msgids), so each non-English language has one catalogue per
app (service_portal's holds the shared strings). Refresh them with `make makemessages`, fill
them, then commit.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CATALOGUES = sorted(
    p for p in ROOT.glob("*/locale/*/LC_MESSAGES/django.po") if ".venv" not in p.parts
)


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES if code != "en"])
def test_there_is_a_catalogue_for_every_language_but_english(language):
    found = {p.parts[-3] for p in CATALOGUES}
    assert language in found, f"no catalogue for {language}: run `make makemessages`"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete(path: Path):
    po = polib.pofile(str(path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated in {path}: {untranslated}"
    assert not fuzzy, f"fuzzy in {path}: {fuzzy}"


def _conflicts_script():
    """scripts/catalogue_conflicts.py, loaded from this checkout (scripts/ is not a package)."""
    path = ROOT / "scripts" / "catalogue_conflicts.py"
    spec = importlib.util.spec_from_file_location("catalogue_conflicts", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_msgid_has_one_translation_per_language():
    """Django merges the catalogues: a msgid translated two ways shows one wording everywhere.

    Where the meaning differs, give the source string a context (pgettext); where it is the same,
    make the catalogues agree. `python scripts/catalogue_conflicts.py` lists the conflicts.
    """
    script = _conflicts_script()
    conflicts = script.find_conflicts(ROOT)
    assert not conflicts, "\n".join(script.describe(c) for c in conflicts)


def test_no_other_catalogue_overrides_the_portals_wording():
    """Django's and the third-party apps' catalogues (admin, auth...) win over the portal's.

    Every entry of the portal's catalogues is what a user sees: where another catalogue
    translates the same msgid, agree with it or give the portal's string a context.
    """
    script = _conflicts_script()
    shadowed = script.find_shadowed(ROOT)
    assert not shadowed, "\n".join(script.describe_shadowed(item) for item in shadowed)


def _write_catalogue(root: Path, app: str, language: str, entries: list[polib.POEntry]) -> None:
    folder = root / app / "locale" / language / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    for entry in entries:
        po.append(entry)
    po.save(str(folder / "django.po"))


def test_conflict_finder_tells_a_context_from_a_different_wording(tmp_path: Path):
    script = _conflicts_script()
    occurrence = [("filters.py", "")]
    _write_catalogue(
        tmp_path,
        "orders",
        "it",
        [
            polib.POEntry(msgid="From", msgstr="Dal", occurrences=occurrence),
            polib.POEntry(msgid="Total", msgstr="Totale", occurrences=occurrence),
        ],
    )
    _write_catalogue(
        tmp_path,
        "planner",
        "it",
        [
            polib.POEntry(msgid="From", msgstr="Dalle", occurrences=[("forms.py", "")]),
            polib.POEntry(msgid="Total", msgctxt="hours", msgstr="Totale ore"),
        ],
    )
    _write_catalogue(tmp_path, "planner", "de", [polib.POEntry(msgid="From", msgstr="Von")])

    conflicts = script.find_conflicts(tmp_path)

    assert [(c["language"], c["msgid"]) for c in conflicts] == [("it", "From")]
    assert conflicts[0]["variants"] == {
        ("Dal",): [("orders", ["filters.py"])],
        ("Dalle",): [("planner", ["forms.py"])],
    }
