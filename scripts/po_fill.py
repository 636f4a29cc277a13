#!/usr/bin/env python
"""Fill msgstr entries of a gettext catalogue from a JSON file of {msgid: msgstr}.

Plural entries take a list of forms: {"%(n)s unit": ["%(n)s unità", "%(n)s unità"]}.
An entry with a context (msgctxt) is looked up first as "<msgctxt>\\u0004<msgid>", then by msgid.
Usage: python scripts/po_fill.py accounts/locale/it/LC_MESSAGES/django.po translations.json
Entries already translated are left alone unless --overwrite is given; fuzzy flags are removed
from the entries it fills. It prints the msgids still untranslated.
"""

import argparse
import json

import polib


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("po")
    parser.add_argument("json")
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args()
    with open(args.json, encoding="utf-8") as fh:
        mapping = json.load(fh)
    po = polib.pofile(args.po)
    for entry in po:
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if key not in mapping:
            key = entry.msgid
        if entry.obsolete or key not in mapping:
            continue
        if entry.translated() and not args.overwrite:
            continue
        value = mapping[key]
        if entry.msgid_plural:
            forms = value if isinstance(value, list) else [value, value]
            entry.msgstr_plural = {i: form for i, form in enumerate(forms)}
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.save()
    missing = [e.msgid for e in po if not e.obsolete and not e.translated()]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
