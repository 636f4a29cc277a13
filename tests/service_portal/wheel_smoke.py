"""What tests/service_portal/test_wheel.py runs inside the fresh environment holding the wheel.

It is fed to that environment's interpreter on standard input, from an empty folder outside the
checkout, with DJANGO_SETTINGS_MODULE=service_portal.settings and VAR_DIR set to a new folder:
every module, template, catalogue and static file it touches must come from the installed wheel.
"""

import sys
from importlib import import_module
from pathlib import Path

import django

django.setup()

from django.contrib.staticfiles import finders  # noqa: E402 (after django.setup())
from django.core.management import call_command  # noqa: E402
from django.template.loader import get_template  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.utils import translation  # noqa: E402

from service_portal.apps import PORTAL_APPS  # noqa: E402

ENVIRONMENT = Path(sys.prefix).resolve()


def installed(path: str) -> str:
    assert Path(path).resolve().is_relative_to(ENVIRONMENT), f"{path} is not the wheel's"
    return path


for app in PORTAL_APPS:
    installed(import_module(app).__file__)

# Migrations: all of them apply to a new database, and none is missing for the models.
call_command("migrate", interactive=False, verbosity=0)
call_command("makemigrations", check=True, dry_run=True, verbosity=0)

# Templates and the shared catalogue: the error page of service_portal, in two languages.
request = RequestFactory().get("/missing/")
for language in ("it", "de"):
    with translation.override(language):
        heading = translation.gettext("Page not found")
        assert heading != "Page not found", f"no {language} catalogue for service_portal"
        template = get_template("errors/404.html")
        installed(template.origin.name)
        assert heading in template.render({}, request), language

# A page of an app through the whole stack (middleware, URLs, the app's template and catalogue).
response = Client(HTTP_ACCEPT_LANGUAGE="de").get("/accounts/login/")
assert response.status_code == 200, response.status_code
with translation.override("de"):
    assert translation.gettext("Log in") in response.content.decode(), "login page not in German"

# Static files: the portal's own, an app's, and the npm packages copied by `make assets`.
for path in (
    "css/portal.css",
    "pdf/lines.css",
    "calls/report_pdf.css",
    "vendor/bootstrap/css/bootstrap.min.css",
    "vendor/bootstrap-icons/bootstrap-icons.min.css",
    "vendor/htmx/htmx.min.js",
    "vendor/chart.js/chart.umd.min.js",
):
    found = finders.find(path)
    assert found, f"static file {path} is missing"
    installed(found)

# The FatturaPA schema is data of the invoicing package: it compiles from the wheel's copy.
from invoicing.fatturapa import schema  # noqa: E402

installed(str(schema.XSD))
schema.official()

print("the installed wheel runs")
