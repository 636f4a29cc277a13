"""The wheel built from the tree holds the whole portal and runs outside the checkout.

The wheel is built as `make wheel` builds it (from a copy of the tree, so leftovers of an
earlier build cannot hide a missing file) and must list every template, static file, catalogue
(.po and compiled .mo) and migration of every app of PORTAL_APPS, and the npm packages that
`make assets` copies. It is then installed, without dependencies, in a fresh virtual environment
that borrows the packages already installed for the project (their site-packages folder is on
its path, while the project's own editable install is not), and tests/service_portal/
wheel_smoke.py runs there from an empty folder: Django's checks, every migration on a new SQLite
database, a template and a page in two languages, static files. Slow (a build and an install):
it runs in CI (CI=true) or when asked for with `-m packaging`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

from service_portal.apps import PORTAL_APPS

ROOT = Path(settings.BASE_DIR)
# Not part of the package, or rebuilt by the build itself.
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "var", "build", "dist", "*.egg-info", "__pycache__",
    ".*_cache", "tests", "docs", "scripts",
)  # fmt: skip

pytestmark = pytest.mark.packaging


@pytest.fixture(autouse=True)
def _only_when_asked(request):
    in_ci = os.environ.get("CI", "").lower() == "true"
    if not in_ci and "packaging" not in (request.config.option.markexpr or ""):
        pytest.skip("builds and installs the wheel: runs in CI (CI=true) or with -m packaging")


def _run(*command: str | Path, timeout: int = 120, **kwargs) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **kwargs,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _tracked_data_files() -> set[str]:
    """The files the wheel must carry besides the Python modules, as paths inside it."""
    wanted = set()
    for app in PORTAL_APPS:
        folder = ROOT / app
        for kind in ("templates", "static", "locale"):
            wanted |= {
                path.relative_to(ROOT).as_posix()
                for path in (folder / kind).rglob("*")
                if path.is_file() and not path.name.startswith(".")
            }
        wanted |= {
            path.relative_to(ROOT).as_posix() for path in (folder / "migrations").glob("*.py")
        }
        # Data files of an app's own packages (the FatturaPA schema).
        wanted |= {
            path.relative_to(ROOT).as_posix()
            for path in folder.glob("*/schema/*")
            if path.is_file()
        }
    return wanted


def test_the_wheel_holds_the_portal_and_runs_outside_the_checkout(tmp_path):
    vendor = ROOT / "service_portal" / "static" / "vendor" / "bootstrap"
    assert vendor.is_dir(), "run `make assets` first: the npm packages go into the wheel"
    compiled = ROOT / "service_portal" / "locale" / "it" / "LC_MESSAGES" / "django.mo"
    assert compiled.is_file(), "run `make messages` first: the compiled catalogues go into it"

    source, dist = tmp_path / "source", tmp_path / "dist"
    shutil.copytree(ROOT, source, ignore=NOT_COPIED)
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", dist, source, timeout=300)  # fmt: skip
    (wheel,) = dist.glob("service_portal-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        packed = set(archive.namelist())
    missing = sorted(_tracked_data_files() - packed)
    assert not missing, f"not in the wheel: {missing[:20]} ({len(missing)})"
    compiled_catalogues = [name for name in packed if name.endswith("/LC_MESSAGES/django.mo")]
    assert len(compiled_catalogues) == len(PORTAL_APPS) * 4  # it, de, fr, es
    assert not [name for name in packed if name.startswith(("tests/", "scripts/", "docs/"))]

    # A fresh environment: the wheel alone, then the project's installed packages on its path
    # (written after the install, so pip does not see the editable install of the checkout).
    environment = tmp_path / "env"
    _run(sys.executable, "-m", "venv", "--without-pip", environment)
    python = environment / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
         "--no-index", wheel, timeout=300)  # fmt: skip
    site_packages = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    borrowed = sysconfig.get_paths()["purelib"]
    (Path(site_packages.strip()) / "project-packages.pth").write_text(f"{borrowed}\n")

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "service_portal.settings",
        "VAR_DIR": str(tmp_path / "var"),  # the SQLite database, media and collected files
        "ALLOWED_HOSTS": "testserver",
    }
    (tmp_path / "var").mkdir()
    checked = _run(python, "-m", "django", "check", "--fail-level", "WARNING", cwd=outside,
                   env=env)  # fmt: skip
    assert "no issues" in checked
    smoke = (Path(__file__).parent / "wheel_smoke.py").read_text(encoding="utf-8")
    ran = _run(python, "-", input=smoke, cwd=outside, env=env, timeout=300)
    assert "the installed wheel runs" in ran
