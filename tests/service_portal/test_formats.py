"""One style for dates and times: 24-hour times in every language, English included."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import formats, translation

from service_portal.forms import DateInput, DateTimeInput, TimeInput
from service_portal.templatetags.portal_format import duration

MOMENT = datetime.datetime(2026, 11, 29, 14, 30)

SHORT = {
    "it": "29/11/2026 14:30",
    "en": "29/11/2026 14:30",
    "de": "29.11.2026 14:30",
    "fr": "29/11/2026 14:30",
    "es": "29/11/2026 14:30",
}


@pytest.mark.parametrize("language", SHORT)
def test_times_are_on_the_24_hour_clock_in_every_language(language):
    with translation.override(language):
        assert formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT") == SHORT[language]
        assert formats.time_format(MOMENT.time(), "TIME_FORMAT") == "14:30"
        long = formats.date_format(MOMENT, "DATETIME_FORMAT")
        assert "14:30" in long and "p.m." not in long and "PM" not in long


@pytest.mark.parametrize(
    ("language", "date", "moment", "placeholder"),
    [
        ("it", "29/11/2026", "29/11/2026 14:30", "gg/mm/aaaa"),
        ("en", "29/11/2026", "29/11/2026 14:30", "dd/mm/yyyy"),
        ("de", "29.11.2026", "29.11.2026 14:30", "TT.MM.JJJJ"),
        ("fr", "29/11/2026", "29/11/2026 14:30", "jj/mm/aaaa"),
        ("es", "29/11/2026", "29/11/2026 14:30", "dd/mm/aaaa"),
    ],
)
def test_date_fields_show_the_readers_format_not_the_browsers(language, date, moment, placeholder):
    with translation.override(language):
        html = DateInput().render("day", MOMENT.date())
        assert 'type="text"' in html and f'value="{date}"' in html
        assert f'placeholder="{placeholder}"' in html
        # A link's ISO date is shown as the reader writes it.
        assert f'value="{date}"' in DateInput().render("day", "2026-11-29")
        assert f'value="{moment}"' in DateTimeInput().render("at", MOMENT)
        assert f'value="{moment}"' in DateTimeInput().render("at", "2026-11-29T14:30")
        assert 'value="14:30"' in TimeInput().render("time", MOMENT.time())


@pytest.mark.parametrize("language", SHORT)
def test_what_the_field_shows_is_what_the_form_reads(language):
    from django import forms

    class Form(forms.Form):
        day = forms.DateField(widget=DateInput())
        at = forms.DateTimeField(widget=DateTimeInput())
        time = forms.TimeField(widget=TimeInput())

    with translation.override(language):
        shown = SHORT[language]
        form = Form({"day": shown.split()[0], "at": shown, "time": "14:30"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == MOMENT.date()
        assert form.cleaned_data["at"].replace(tzinfo=None) == MOMENT
        assert form.cleaned_data["time"] == MOMENT.time()
        # ISO, as links and the API write it, is read too.
        iso = Form({"day": "2026-11-29", "at": "2026-11-29T14:30", "time": "14:30"})
        assert iso.is_valid(), iso.errors
        bad = Form({"day": "11/29/2026", "at": "tomorrow", "time": "2:30 PM"})
        assert set(bad.errors) == {"day", "at", "time"}


@pytest.mark.parametrize(
    ("language", "hours", "shown"),
    [
        ("en", Decimal("14"), "14.0 h"),
        ("it", Decimal("14.5"), "14,5 h"),
        ("en", Decimal("24"), "1 day"),
        ("en", Decimal("36"), "1 day 12 h"),
        ("en", Decimal("332.5"), "13 days 21 h"),
        ("it", Decimal("332.5"), "13 giorni 21 h"),
        ("de", Decimal("48.2"), "2 Tage"),
        ("fr", Decimal("50"), "2 jours 2 h"),
        ("es", Decimal("25"), "1 día 1 h"),
    ],
)
def test_long_durations_read_in_days_and_hours(language, hours, shown):
    with translation.override(language):
        assert duration(hours) == shown


def test_no_duration_is_no_text():
    assert duration(None) == ""
