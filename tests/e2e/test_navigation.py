"""The top bar in a real browser: one line at 1280 px and wider, in every language, for every role.

Each role's menus, the user menu and the language switcher (full language names) must sit on
one line of the expanded bar; nothing may be cut or pushed out of the bar.
"""

from __future__ import annotations

import pytest

from accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

LANGUAGES = ("it", "en", "de", "fr", "es")
WIDTHS = (1280, 1440)  # below and above 1400 px, where the user menu shows the name

# Everything the bar shows at the top level, with its box and whether its content is cut.
MEASURE = """() => {
  const bar = document.querySelector('nav.navbar > .container-fluid');
  const parts = [...bar.querySelectorAll(
    ':scope > .navbar-brand, .navbar-nav > .nav-item, [data-testid=language-switcher] select')];
  return {
    barOverflows: bar.scrollWidth > bar.clientWidth + 1,
    parts: parts.map(e => {
      const r = e.getBoundingClientRect();
      return {text: e.innerText.trim().slice(0, 40), top: r.top, bottom: r.bottom,
              left: r.left, right: r.right, cut: e.scrollWidth > e.clientWidth + 1};
    }),
    viewport: window.innerWidth,
    // The language's full name must fit its select (a shrunk select shows "Ita", "Espa").
    language: (() => {
      const select = document.querySelector('[data-testid=language-switcher] select');
      const style = getComputedStyle(select);
      const context = document.createElement('canvas').getContext('2d');
      context.font = style.font;
      const text = select.options[select.selectedIndex].text;
      const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
      const room = select.clientWidth - padding;
      return {text, fits: context.measureText(text).width <= room + 0.5};
    })(),
  };
}"""


# The contrast of each top-level link of the bar with the bar's background (WCAG formula).
CONTRAST = """() => {
  const rgba = c => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  }).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const bg = rgba(getComputedStyle(document.querySelector('nav.navbar')).backgroundColor);
  return [...document.querySelectorAll('nav.navbar .navbar-nav > .nav-item > .nav-link')].map(e => {
    const [r, g, b, a = 1] = rgba(getComputedStyle(e).color);
    const fg = [r, g, b].map((v, i) => v * a + bg[i] * (1 - a));
    const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    return [e.innerText.trim(), (hi + 0.05) / (lo + 0.05)];
  });
}"""


def _check_one_line(page, where: str) -> None:
    found = page.evaluate(MEASURE)
    parts = found["parts"]
    assert parts, where
    assert not found["barOverflows"], f"{where}: the bar is wider than the screen"
    top = min(p["top"] for p in parts)
    first_bottom = min(p["bottom"] for p in parts)
    below = [p["text"] for p in parts if p["top"] >= first_bottom]
    assert not below, f"{where}: on a second line: {below}"
    assert top >= 0, where
    outside = [p["text"] for p in parts if p["right"] > found["viewport"] or p["left"] < 0]
    assert not outside, f"{where}: outside the screen: {outside}"
    cut = [p["text"] for p in parts if p["cut"]]
    assert not cut, f"{where}: cut: {cut}"
    assert found["language"]["fits"], f"{where}: {found['language']['text']!r} is cut"


@pytest.mark.parametrize("role", ["administrator", "operator", "technician"])
def test_the_top_bar_is_one_line_in_every_language(page, login, role, request):
    user: User = request.getfixturevalue(role)
    login(user.username, PASSWORD)
    page.wait_for_selector("[data-testid=user-menu]")
    for language in LANGUAGES:
        User.objects.filter(pk=user.pk).update(language=language)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            page.goto("/calls/")
            assert page.get_attribute("html", "lang") == language
            _check_one_line(page, f"{role}, {language}, {width} px")
        low = [(text, round(ratio, 2)) for text, ratio in page.evaluate(CONTRAST) if ratio < 4.5]
        assert not low, f"{role}, {language}: links below 4.5:1 on the bar: {low}"
