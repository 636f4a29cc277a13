#!/usr/bin/env python
"""List the msgids that two catalogues of the same language translate differently.

Django merges the catalogues of all apps into one per language, so an msgid gets ONE
translation everywhere: the portal's shared catalogue (service_portal/locale, in LOCALE_PATHS)
wins, then the app listed first in INSTALLED_APPS. When two catalogues translate the same msgid
(same msgctxt) differently, one of them is silently ignored at run time. Either the meaning
really differs and the source string needs a context (pgettext, `{% translate "X" context
"..." %}`), or it is the same meaning and the catalogues should agree on one wording.

Django's own catalogues and those of the third-party apps listed before the portal's apps in
INSTALLED_APPS (admin, auth...) win over the portal's too: the script also lists the portal's
entries that are shown with another wording at run time ("shadowed"); make the catalogue agree or
give the portal's string a context.

Usage: python scripts/catalogue_conflicts.py [--language it]
It prints one block per conflict (language, msgctxt, msgid, then each translation with the
catalogues and source files using it), then the shadowed entries, and exits with status 1 when
there is any.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "node_modules", "var"}


def catalogues(root: Path = ROOT) -> list[Path]:
    """The portal's .po files: one per app (service_portal's is the shared one) and language."""
    found = [p for p in root.glob("*/locale/*/LC_MESSAGES/django.po") if not SKIP & set(p.parts)]
    return sorted(found)


def owner(path: Path, root: Path = ROOT) -> str:
    """The app a catalogue belongs to."""
    return path.relative_to(root).parts[0]


def translation(entry: polib.POEntry) -> tuple[str, ...]:
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
    return (entry.msgstr,)


def find_conflicts(root: Path = ROOT, language: str | None = None) -> list[dict]:
    """Each conflict: {language, msgctxt, msgid, variants: {translation: [(app, sources)]}}."""
    seen: dict[tuple, dict[tuple[str, ...], list[tuple[str, list[str]]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for path in catalogues(root):
        lang = path.parts[-3]
        if language and lang != language:
            continue
        for entry in polib.pofile(str(path)):
            if entry.obsolete or not entry.translated():
                continue
            key = (lang, entry.msgctxt or "", entry.msgid)
            sources = sorted({file for file, _line in entry.occurrences})
            seen[key][translation(entry)].append((owner(path, root), sources))
    conflicts = []
    for (lang, msgctxt, msgid), variants in sorted(seen.items()):
        if len(variants) > 1:
            conflicts.append(
                {"language": lang, "msgctxt": msgctxt, "msgid": msgid, "variants": variants}
            )
    return conflicts


def find_shadowed(root: Path = ROOT, language: str | None = None) -> list[dict]:
    """Entries whose run-time translation is not the catalogue's (Django must be set up)."""
    from django.utils import translation

    shadowed, seen = [], set()
    for path in catalogues(root):
        lang = path.parts[-3]
        if language and lang != language:
            continue
        with translation.override(lang):
            for entry in polib.pofile(str(path)):
                key = (lang, entry.msgctxt or "", entry.msgid)
                if entry.obsolete or entry.msgid_plural or not entry.translated() or key in seen:
                    continue
                seen.add(key)
                if entry.msgctxt:
                    shown = translation.pgettext(entry.msgctxt, entry.msgid)
                else:
                    shown = translation.gettext(entry.msgid)
                if shown != entry.msgstr:
                    shadowed.append(
                        {
                            "language": lang,
                            "msgctxt": entry.msgctxt or "",
                            "msgid": entry.msgid,
                            "app": owner(path, root),
                            "catalogue": entry.msgstr,
                            "shown": shown,
                        }
                    )
    return shadowed


def describe_shadowed(item: dict) -> str:
    context = f" [context {item['msgctxt']!r}]" if item["msgctxt"] else ""
    return (
        f"{item['language']}: {item['msgid']!r}{context} is {item['catalogue']!r} in "
        f"{item['app']}, shown as {item['shown']!r} (another catalogue wins)"
    )


def describe(conflict: dict) -> str:
    context = f" [context {conflict['msgctxt']!r}]" if conflict["msgctxt"] else ""
    lines = [f"{conflict['language']}: {conflict['msgid']!r}{context}"]
    for text, users in conflict["variants"].items():
        shown = " | ".join(text)
        lines.append(f"    {shown!r}")
        for app, sources in users:
            lines.append(f"        {app}: {', '.join(sources) or '-'}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", help="only this language code, e.g. it")
    args = parser.parse_args()
    conflicts = find_conflicts(language=args.language)
    for conflict in conflicts:
        print(describe(conflict))
    print(f"{len(conflicts)} conflict(s)")

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "service_portal.settings")
    import django

    django.setup()
    shadowed = find_shadowed(language=args.language)
    for item in shadowed:
        print(describe_shadowed(item))
    print(f"{len(shadowed)} shadowed")
    return 1 if conflicts or shadowed else 0


if __name__ == "__main__":
    raise SystemExit(main())
