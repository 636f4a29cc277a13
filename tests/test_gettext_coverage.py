"""No user-visible text outside gettext, in templates and in Python sources.

Templates: every text node and every user-visible attribute (title, placeholder, aria-label,
alt) outside {% translate %} / {% blocktranslate %} must be free of words; whitespace,
punctuation, numbers, template variables and tags, scripts and styles are ignored, and so are the
few symbols every language writes the same way (ALLOWED).
Python (AST): string literals given as messages.*(), ValidationError(), form/model labels,
help texts, verbose names, choice labels and HttpResponse bodies must be wrapped in gettext.
Each failure lists file:line.
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings

from service_portal.apps import PORTAL_APPS

ROOT = Path(settings.BASE_DIR)
APPS = PORTAL_APPS
# Written the same in every language: units, formats, acronyms and brand names.
ALLOWED = {
    "km",
    "h",
    "kg",
    "pz",
    "PDF",
    "CSV",
    "XLSX",
    "Excel",
    "API",
    "iCal",
    "ICS",
    "OpenAPI",
    "Swagger",
    "Service Portal",
    "IBAN",
    "SYS Suite",
    "e-mail",
    "E-mail",
    "N.",
    "No.",
    "x",
    "×",
    "OK",
}

# Regions a translator never sees or that are already translated, blanked before parsing.
_BLANK = [
    re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S),
    re.compile(r"{%\s*blocktrans(late)?\b.*?{%\s*endblocktrans(late)?\s*%}", re.S),
    re.compile(r"{#.*?#}", re.S),
    re.compile(r"{{.*?}}", re.S),
    re.compile(r"{%.*?%}", re.S),
    re.compile(r"<script\b.*?</script>", re.S | re.I),
    re.compile(r"<style\b.*?</style>", re.S | re.I),
    re.compile(r"<!--.*?-->", re.S),
]
_WORD = re.compile(r"[^\W\d_]{2,}")


def _blank(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def _visible(text: str) -> str | None:
    text = " ".join(text.split())
    if not text or text in ALLOWED:
        return None
    words = [w for w in _WORD.findall(text) if w not in ALLOWED]
    return text if words else None


class _Scanner(HTMLParser):
    ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in self.ATTRIBUTES and value and (text := _visible(value)):
                self.found.append((self.getpos()[0], f'{name}="{text}"'))

    def handle_data(self, data):
        if text := _visible(data):
            line = self.getpos()[0] + data[: len(data) - len(data.lstrip())].count("\n")
            self.found.append((line, text))


def _templates() -> list[Path]:
    roots = [ROOT / app / "templates" for app in APPS]
    return sorted(p for r in roots for p in r.rglob("*") if p.suffix in {".html", ".txt"})


def _template_offenders(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    for pattern in _BLANK:
        source = pattern.sub(_blank, source)
    scanner = _Scanner()
    scanner.feed(source)
    rel = path.relative_to(ROOT)
    return [f"{rel}:{line}: {text}" for line, text in scanner.found]


def test_the_template_check_sees_text_and_attributes_outside_gettext(tmp_path):
    sample = tmp_path / "sample.html"
    sample.write_text(
        '{% load i18n %}<p>{% translate "Saved" %}</p>\n'
        "<p>Hello there</p>\n"
        '<i class="bi bi-x" title="Close"></i> {{ value }} · 12 km\n'
        "{% blocktranslate trimmed %}Fine {{ x }}{% endblocktranslate %}\n",
        encoding="utf-8",
    )
    source = sample.read_text(encoding="utf-8")
    for pattern in _BLANK:
        source = pattern.sub(_blank, source)
    scanner = _Scanner()
    scanner.feed(source)
    assert scanner.found == [(2, "Hello there"), (3, 'title="Close"')]


def test_templates_have_no_text_outside_gettext():
    offenders = [o for path in _templates() for o in _template_offenders(path)]
    assert not offenders, "text outside {% translate %}:\n" + "\n".join(offenders)


# --- Python -------------------------------------------------------------------------------------
MESSAGE_FUNCTIONS = {"success", "error", "info", "warning", "debug", "add_message"}
TEXT_KEYWORDS = {
    "label",
    "help_text",
    "verbose_name",
    "verbose_name_plural",
    "empty_label",
    "message",
}
RESPONSES = {"HttpResponse", "HttpResponseBadRequest", "HttpResponseForbidden"}
RELATIONS = {"ForeignKey", "OneToOneField", "ManyToManyField"}
CHOICES = {"TextChoices", "IntegerChoices", "Choices"}


def _literal(node: ast.AST | None) -> bool:
    if isinstance(node, ast.JoinedStr):
        return True
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and bool(_WORD.search(node.value))
    )


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


class _PythonScanner(ast.NodeVisitor):
    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []

    def _flag(self, node: ast.AST, why: str) -> None:
        self.found.append((node.lineno, why))

    def visit_Call(self, node: ast.Call) -> None:
        name = _name(node.func)
        owner = _name(node.func.value) if isinstance(node.func, ast.Attribute) else ""
        if owner == "messages" and name in MESSAGE_FUNCTIONS:
            for arg in node.args[1:]:
                if _literal(arg):
                    self._flag(arg, f"messages.{name}() text")
        if name == "ValidationError" and node.args and _literal(node.args[0]):
            self._flag(node.args[0], "ValidationError text")
        if name in RESPONSES and node.args and _literal(node.args[0]):
            self._flag(node.args[0], f"{name} body")
        if name.endswith("Field") and name not in RELATIONS and node.args:
            if _literal(node.args[0]) and owner in {"models", "forms", "serializers"}:
                self._flag(node.args[0], f"{name} verbose name")
        for keyword in node.keywords:
            if keyword.arg in TEXT_KEYWORDS and _literal(keyword.value):
                self._flag(keyword.value, f"{keyword.arg}=")
            if keyword.arg == "choices" and isinstance(keyword.value, (ast.List, ast.Tuple)):
                for choice in keyword.value.elts:
                    if isinstance(choice, ast.Tuple) and len(choice.elts) == 2:
                        if _literal(choice.elts[1]):
                            self._flag(choice.elts[1], "choice label")
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if any(_name(base) in CHOICES for base in node.bases):
            for statement in node.body:
                if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Tuple):
                    elts = statement.value.elts
                    if len(elts) >= 2 and _literal(elts[-1]):
                        self._flag(elts[-1], "choice label")
        if node.name == "Meta":
            for statement in node.body:
                if isinstance(statement, ast.Assign) and _literal(statement.value):
                    targets = {_name(t) for t in statement.targets}
                    if targets & {"verbose_name", "verbose_name_plural"}:
                        self._flag(statement.value, "Meta verbose name")
        self.generic_visit(node)


def _python_sources() -> list[Path]:
    return sorted(
        p
        for app in APPS
        for p in (ROOT / app).rglob("*.py")
        if "migrations" not in p.parts and "management" not in p.parts
    )


def test_the_python_check_sees_literals_where_users_read_them():
    source = (
        'messages.success(request, "Saved")\n'
        'name = forms.CharField(label="Name")\n'
        'raise ValidationError("Bad value")\n'
        "class Kind(models.TextChoices):\n"
        '    A = "a", "Alpha"\n'
        '    B = "b", _("Beta")\n'
        'ok = forms.CharField(label=_("Name"), help_text=gettext_lazy("Help"))\n'
    )
    scanner = _PythonScanner()
    scanner.visit(ast.parse(source))
    assert [line for line, _why in scanner.found] == [1, 2, 3, 5]


def test_python_has_no_user_visible_text_outside_gettext():
    offenders = []
    for path in _python_sources():
        scanner = _PythonScanner()
        scanner.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        rel = path.relative_to(ROOT)
        offenders += [f"{rel}:{line}: {why}" for line, why in scanner.found]
    assert not offenders, "text outside gettext:\n" + "\n".join(offenders)


def test_the_scan_covers_every_app_of_the_portal():
    local = {
        app.split(".")[0] for app in settings.INSTALLED_APPS if (ROOT / app.split(".")[0]).is_dir()
    }
    assert local == set(APPS), "an app of the tree is missing from service_portal.apps.PORTAL_APPS"
