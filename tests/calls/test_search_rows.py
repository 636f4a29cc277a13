"""What each row of the call search shows, cell by cell, for calls that differ in everything a
cell can show: with and without a technician, type, unit or requested date; each priority; an
SLA deadline breached, at risk, running or paused; a cancelled intervention; a call with two
interventions; a name that needs escaping. The rows are read as plain values and rendered with
labels looked up once a page: what the office reads must not change with how it is built."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from accounts.models import Role
from calls import services
from calls.models import Call, Intervention, Priority, State
from tests.calls.factories import first_intervention, make_call, make_intervention_type
from tests.factories import make_customer, make_product, make_site, make_unit, make_user

pytestmark = pytest.mark.django_db

URL = "/calls/"


class _Cells(HTMLParser):
    """The rows of the results table: per cell its label, text, links and badges."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[dict]] = []
        self._in_body = False
        self._cell: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag == "td":
            self._cell = {"label": attrs.get("data-label"), "text": "", "links": [], "badges": []}
            self.rows[-1].append(self._cell)
        elif self._cell is not None and tag == "a":
            self._cell["links"].append(attrs["href"])
        elif self._cell is not None and tag == "span" and "badge" in attrs.get("class", ""):
            self._cell["badges"].append(attrs["class"])

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "td" and self._cell is not None:
            self._cell["text"] = re.sub(r"\s+", " ", self._cell["text"]).strip()
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data


def _rows(client, **params) -> list[list[dict]]:
    response = client.get(URL, params)
    assert response.status_code == 200
    parser = _Cells()
    parser.feed(response.content.decode())
    return parser.rows


def _local(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


@pytest.fixture
def calls(operator, technician):
    """Six interventions of five calls, received a day apart (the list shows the newest first)."""
    technician.first_name, technician.last_name = "Tina", "Rossi"
    technician.save()
    otto = make_user("otto", Role.TECHNICIAN)  # no full name: the username is shown
    repair = make_intervention_type(name_en="Repair", name_it="Riparazione")
    acme = make_site(make_customer(name="Acme & Sons <Tools>"), name="Main plant")
    press = make_unit(acme, make_product(code="PRS-200"), serial_number="AAA-111")
    # A: expected, urgent, a technician and a type, its SLA deadline passed.
    a = make_call(by=operator, unit=press, received_at=_local(2026, 3, 2, 9, 5),
                  priority=Priority.URGENT)  # fmt: skip
    services.fill_intervention_section(
        intervention=first_intervention(a), acting_user=operator, version=None, type=repair,
        requested_date=datetime.date(2026, 4, 1), technician=technician,
    )  # fmt: skip
    Call.objects.filter(pk=a.pk).update(
        sla_due=_local(2026, 3, 3, 9, 5), sla_warn_at=_local(2026, 3, 3, 7, 5)
    )
    # B: new, high, nothing filled in yet, its deadline at risk.
    b = make_call(by=operator, unit=make_unit(acme, serial_number="BBB-222"),
                  received_at=_local(2026, 3, 3, 14, 30), priority=Priority.HIGH)  # fmt: skip
    Call.objects.filter(pk=b.pk).update(
        sla_due=_local(2099, 1, 1, 12, 0), sla_warn_at=_local(2026, 1, 1, 12, 0)
    )
    # C: cancelled, normal priority, a deadline still far away.
    c = make_call(by=operator, received_at=_local(2026, 3, 4, 8, 0))
    Intervention.objects.filter(call=c).update(state=State.CANCELLED)
    Call.objects.filter(pk=c.pk).update(
        status=State.CANCELLED, sla_due=_local(2099, 1, 1, 12, 0),
        sla_warn_at=_local(2098, 12, 31, 12, 0),
    )  # fmt: skip
    # D: no unit, waiting for the customer (the clock is paused).
    d = make_call(by=operator, received_at=_local(2026, 3, 5, 16, 45), priority=Priority.LOW)
    Call.objects.filter(pk=d.pk).update(unit=None, waiting_for_customer=True)
    # E: resolved by phone; then a second intervention of A's call, for Otto.
    e = make_call(by=operator, received_at=_local(2026, 3, 6, 11, 0))
    services.resolve_by_phone(call=e, acting_user=operator, solution="Reset.")
    second = Intervention.objects.create(
        call=a, number=2, code=f"{a.code}/2", technician=otto, state=State.NEW
    )
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "second": second}


def _manage(call, number=1) -> str:
    return f"/calls/{call.pk}/interventions/{number}/"


LABELS = ["Intervention", "Received", "Customer", "Unit", "Type", "State", "Call status",
          "Technician", "Requested date", "Priority", "SLA deadline"]  # fmt: skip


def _cell(text, links=(), badges=()) -> tuple:
    return (text, list(links), list(badges))


def test_every_cell_of_every_row(operator_client, calls):
    a, b, c, d, e = (calls[k] for k in "abcde")
    rows = _rows(operator_client, sort="received")
    assert all([cell["label"] for cell in row] == LABELS for row in rows)
    got = [[(cell["text"], cell["links"], cell["badges"]) for cell in row] for row in rows]
    customer = "Acme & Sons <Tools>Main plant"  # the site on a line of its own
    assert got[0] == [
        _cell(f"{a.code}/1", [_manage(a)]),
        _cell("02/03/2026 09:05"),
        _cell(customer),
        _cell("AAA-111 PRS-200"),
        _cell("Repair"),
        _cell("Expected", badges=["badge text-bg-primary"]),
        _cell("Expected", badges=["badge text-bg-primary"]),
        _cell("Tina Rossi"),
        _cell("01/04/2026"),
        _cell("Urgent (machine stopped)", badges=["badge text-bg-danger"]),
        _cell("03/03/2026 09:05 breached", badges=["badge text-bg-danger"]),
    ]
    # The second intervention of the same call: the call's columns again, its own state.
    assert got[1] == [
        _cell(f"{a.code}/2", [_manage(a, 2)]),
        _cell("02/03/2026 09:05"),
        _cell(customer),
        _cell("AAA-111 PRS-200"),
        _cell(""),
        _cell("New", badges=["badge text-bg-info"]),
        _cell("Expected", badges=["badge text-bg-primary"]),
        _cell("otto"),
        _cell(""),
        _cell("Urgent (machine stopped)", badges=["badge text-bg-danger"]),
        _cell("03/03/2026 09:05 breached", badges=["badge text-bg-danger"]),
    ]
    b_serial = "BBB-222 " + b.unit.product.code
    assert got[2] == [
        _cell(f"{b.code}/1", [_manage(b)]),
        _cell("03/03/2026 14:30"),
        _cell(customer),
        _cell(b_serial),
        _cell(""),
        _cell("New", badges=["badge text-bg-info"]),
        _cell("New", badges=["badge text-bg-info"]),
        _cell(""),
        _cell(""),
        _cell("High", badges=["badge text-bg-warning"]),
        _cell("01/01/2099 12:00 at risk", badges=["badge text-bg-warning"]),
    ]
    c_site = f"{c.customer.name}{c.site.name}"
    assert got[3] == [
        _cell(f"{c.code}/1", [_manage(c)]),
        _cell("04/03/2026 08:00"),
        _cell(c_site),
        _cell(f"{c.unit.serial_number} {c.unit.product.code}"),
        _cell(""),
        _cell("Cancelled", badges=["badge text-bg-secondary"]),
        _cell("Cancelled", badges=["badge text-bg-secondary"]),
        _cell(""),
        _cell(""),
        _cell("Normal"),
        _cell("01/01/2099 12:00"),
    ]
    assert got[4] == [
        _cell(f"{d.code}/1", [_manage(d)]),
        _cell("05/03/2026 16:45"),
        _cell(f"{d.customer.name}{d.site.name}"),
        _cell(""),
        _cell(""),
        _cell("New", badges=["badge text-bg-info"]),
        _cell("New", badges=["badge text-bg-info"]),
        _cell(""),
        _cell(""),
        _cell("Low"),
        _cell("paused"),
    ]
    e_state = ("Resolved by phone", [], ["badge text-bg-secondary"])
    assert got[5][0] == _cell(f"{e.code}/1", [_manage(e)])
    assert got[5][5] == got[5][6] == e_state
    assert got[5][9:] == [_cell("Normal"), _cell("")]  # no deadline, not paused
    assert len(got) == 6


def test_names_are_escaped(operator_client, calls):
    body = operator_client.get(URL).content.decode()
    assert "Acme &amp; Sons &lt;Tools&gt;" in body
    assert "<Tools>" not in body


def test_labels_and_choices_follow_the_readers_language(client_for, calls):
    italian = make_user("olga", Role.OPERATOR, language="it")
    rows = _rows(client_for(italian), sort="received")
    first = rows[0]
    assert [cell["label"] for cell in first] == [
        "Intervento", "Ricevuta", "Cliente", "Matricola", "Tipo", "Stato", "Stato chiamata",
        "Tecnico", "Data richiesta", "Priorità", "Scadenza SLA",
    ]  # fmt: skip
    texts = [cell["text"] for cell in first]
    assert texts[1] == "02/03/2026 09:05"
    assert texts[4] == "Riparazione"
    assert texts[5] == texts[6] == "Previsto"
    assert texts[9] == "Urgente (macchina ferma)"
    assert texts[10] == "03/03/2026 09:05 violato"


@pytest.fixture
def _no_session_refresh(settings):
    settings.SESSION_REFRESH_SECONDS = 3600  # a session write is not a query of the page


def test_the_rows_cost_the_same_queries_as_before(
    _no_session_refresh, operator_client, calls, operator, django_assert_num_queries
):
    # The session and the user; the count (capped); the intervention types and technicians of
    # the filter bar; the page of interventions with their call, customer, site, unit and
    # product. The names of the page's types and technicians come from the filter bar's lists
    # (read once, for the rows and the selects).
    with django_assert_num_queries(6):
        assert operator_client.get(URL).status_code == 200
    # A page none of whose interventions has a type or a technician: the same queries.
    with django_assert_num_queries(6):
        assert operator_client.get(URL, {"status": State.CANCELLED}).status_code == 200


def test_the_rows_carry_every_field_the_sorts_order_by():
    """A page link carries the sort values of the row next to it, read from the row's values."""
    from calls.filters import SORTS
    from calls.search_rows import ROW_FIELDS

    for ordering in SORTS.values():
        for item in ordering:
            if isinstance(item, str):
                assert item.lstrip("-") in ROW_FIELDS, item


def test_a_technician_no_longer_active_keeps_his_name_on_his_rows(
    _no_session_refresh, operator_client, calls, django_assert_num_queries
):
    """The rows' names come from the filter bar's lists; a technician missing from them (not
    active any more) is read for the rows."""
    otto = calls["second"].technician
    otto.is_active = False
    otto.save()
    names = {cell["text"] for row in _rows(operator_client) for cell in row[7:8]}
    assert names == {"Tina Rossi", "otto", ""}
    with django_assert_num_queries(7):  # the six of the page and otto's name
        assert operator_client.get(URL).status_code == 200
