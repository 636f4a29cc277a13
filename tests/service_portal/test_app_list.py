"""One list of the portal's apps (service_portal.apps.PORTAL_APPS), and what must follow it.

Settings, seed_demo, the permission table, the gettext scan and `make makemessages` read the
list; pyproject.toml cannot, so its package list and its import-linter contracts are checked
against it here: a new app is packaged, placed in a layer and given its views contract.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from django.conf import settings

from service_portal.apps import PORTAL_APPS
from service_portal.management.commands.seed_demo import DEMO_MODULES

ROOT = Path(settings.BASE_DIR)
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
IMPORTLINTER = PYPROJECT["tool"]["importlinter"]


def _contract(contract_id: str) -> dict:
    (contract,) = [c for c in IMPORTLINTER["contracts"] if c["id"] == contract_id]
    return contract


def test_the_apps_are_installed_in_layer_order_after_the_third_party_ones():
    installed = list(settings.INSTALLED_APPS)
    start = installed.index(PORTAL_APPS[0])
    assert installed[start : start + len(PORTAL_APPS)] == list(PORTAL_APPS)
    # Django's catalogues and those of the apps before the portal's win over the portal's own:
    # DRF comes after, so its Italian does not reword Django's form messages.
    assert installed.index("rest_framework") > start


def test_the_wheel_packages_every_app_and_nothing_else():
    include = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    assert include == [f"{app}*" for app in PORTAL_APPS]


def test_every_app_of_the_tree_is_in_the_list():
    apps_on_disk = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps_on_disk == set(PORTAL_APPS)


def test_seed_demo_runs_the_demo_modules_in_layer_order():
    apps = [name.removesuffix(".demo") for name in DEMO_MODULES]
    assert apps == [app for app in PORTAL_APPS if (ROOT / app / "demo.py").is_file()]
    assert "accounts" in apps and "invoicing" in apps


def test_the_import_contracts_cover_every_app_once():
    assert IMPORTLINTER["root_packages"] == list(PORTAL_APPS)
    layers = _contract("layers")["layers"]
    placed = [app for layer in layers for app in re.split(r"\s*[|:]\s*", layer.strip())]
    assert sorted(placed) == sorted(PORTAL_APPS), "each app in exactly one layer"
    assert layers[-1] == "service_portal", "service_portal is the ground floor"
    assert _contract("acyclic")["ancestors"] == list(PORTAL_APPS)


def test_every_app_with_views_has_its_views_contract():
    for app in PORTAL_APPS:
        if app == "service_portal":
            continue  # it imports no app at all (layers)
        contract = _contract(f"views-{app}")
        assert f"{app}.views" in contract["source_modules"]
        assert contract["forbidden_modules"] == ["*.services"]
        own = f"{app}.** -> {app}.services"
        # An app whose services are a package (calls) lets its views import its modules too.
        assert contract["ignore_imports"] in ([own], [own, f"{own}.**"])
