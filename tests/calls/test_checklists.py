"""Issue 21, item 4: checklists (worksheets) per intervention type.

Administrators define them (versioned: an edited version in use becomes a new version); an
intervention gets its type's current version when planned; the technician answers on the
phone; required items before completion; answers printed in the report and frozen by the
signature."""

from __future__ import annotations

import datetime
import io
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from calls import services
from calls.models import ChecklistAnswer, ChecklistTemplate, State
from calls.services import CallError, CallRoleRefused, actuals, checklists, media
from planner.models import TimeEntry
from service_portal import offline
from tests.calls.factories import make_intervention, plan_with_visit
from tests.calls.test_actuals_completion import PNG
from tests.calls.test_photos import picture

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


ITEMS = [
    {"label": "Safety guards in place", "kind": "yes_no", "required": True},
    {
        "label": "Oil pressure",
        "kind": "number",
        "required": True,
        "unit": "bar",
        "min_value": Decimal("2"),
        "max_value": Decimal("6"),
    },
    {"label": "Remarks", "kind": "text", "required": False},
    {"label": "Filter state", "kind": "choice", "required": True, "options": "clean\ndirty"},
    {"label": "Photo of the nameplate", "kind": "photo", "required": False},
]


def _url(name, intervention, *extra):
    return reverse(f"calls:{name}", args=[intervention.call_id, intervention.number, *extra])


def _template(administrator, intervention_type, items=ITEMS, name="Yearly service"):
    return checklists.save_template(
        acting_user=administrator,
        intervention_type=intervention_type,
        name=name,
        items=[dict(item) for item in items],
    )


@pytest.fixture
def job(technician, operator, administrator):
    """A planned intervention whose type has a checklist, with hours and the report written."""
    intervention = make_intervention(State.EXPECTED, technician=technician)
    _template(administrator, intervention.type)
    plan_with_visit(intervention, operator)
    TimeEntry.objects.create(
        user=technician,
        date=DAY,
        hours=Decimal("2"),
        kind="labour",
        intervention=intervention,
        created_by=technician,
    )
    services.add_note(
        intervention=intervention, acting_user=technician, kind="report", text="Serviced."
    )
    intervention.refresh_from_db()
    return intervention


def _items(intervention):
    return {item.label: item for item in intervention.checklist.items.all()}


def _answer(intervention, user, **by_label):
    items = _items(intervention)
    return checklists.save_answers(
        intervention=intervention,
        acting_user=user,
        answers={items[label].pk: value for label, value in by_label.items()},
    )


def _complete(intervention, user):
    return actuals.complete_intervention(
        intervention=intervention, acting_user=user, signature_png=PNG, signed_by="Anna Bianchi"
    )


FULL = {"Safety guards in place": "yes", "Oil pressure": "4,5", "Filter state": "clean"}


# --- Templates ----------------------------------------------------------------------------------
def test_planning_gives_the_intervention_its_types_current_checklist(job):
    assert job.checklist is not None
    assert job.checklist.is_current and job.checklist.number == 1
    assert [i.label for i in job.checklist.items.all()] == [i["label"] for i in ITEMS]


def test_editing_a_checklist_in_use_makes_a_new_version_and_the_intervention_keeps_its_own(
    job, administrator, technician, operator
):
    old = job.checklist
    edited = [
        dict(item, source=item_pk)
        for item, item_pk in zip(ITEMS, [i.pk for i in old.items.all()], strict=True)
    ]
    edited[1]["max_value"] = Decimal("8")
    new = checklists.save_template(
        acting_user=administrator,
        intervention_type=job.type,
        name="Yearly service (2027)",
        items=edited,
        template=old,
    )
    assert new.pk != old.pk and new.number == 2 and new.is_current
    old.refresh_from_db()
    assert not old.is_current and old.name == "Yearly service"
    assert old.items.get(label="Oil pressure").max_value == Decimal("6")
    job.refresh_from_db()
    assert job.checklist_id == old.pk  # the version it got
    # The other languages' texts come along with the items edited.
    assert new.items.get(label="Oil pressure").max_value == Decimal("8")
    # A new intervention of the type gets the new version.
    other = make_intervention(State.EXPECTED, technician=technician)
    other.type = job.type
    other.save()
    plan_with_visit(other, operator)
    other.refresh_from_db()
    assert other.checklist_id == new.pk


def test_a_version_nobody_got_is_edited_in_place(administrator, technician):
    intervention = make_intervention(State.EXPECTED, technician=technician)
    template = _template(administrator, intervention.type)
    saved = checklists.save_template(
        acting_user=administrator,
        intervention_type=intervention.type,
        name="Renamed",
        items=[ITEMS[0]],
        template=template,
    )
    assert saved.pk == template.pk and saved.items.count() == 1
    assert ChecklistTemplate.objects.count() == 1


def test_only_administrators_define_checklists_and_bad_items_are_refused(
    administrator, operator, technician
):
    intervention = make_intervention(State.EXPECTED, technician=technician)
    with pytest.raises(CallRoleRefused):
        _template(operator, intervention.type)
    with pytest.raises(CallError, match="two options"):
        _template(
            administrator,
            intervention.type,
            [{"label": "Colour", "kind": "choice", "options": "red"}],
        )
    with pytest.raises(CallError, match="minimum is greater"):
        _template(
            administrator,
            intervention.type,
            [{"label": "T", "kind": "number", "min_value": Decimal(5), "max_value": Decimal(1)}],
        )
    assert not ChecklistTemplate.objects.exists()


def test_names_and_labels_are_translatable(administrator, technician):
    intervention = make_intervention(State.EXPECTED, technician=technician)
    with translation.override("en"):
        template = _template(administrator, intervention.type)
    item = template.items.first()
    item.label_it = "Protezioni di sicurezza al loro posto"
    item.save()
    template.name_it = "Tagliando annuale"
    template.save()
    with translation.override("it"):
        template.refresh_from_db()
        assert template.name == "Tagliando annuale"
        assert template.items.first().label == "Protezioni di sicurezza al loro posto"
    with translation.override("en"):
        assert ChecklistTemplate.objects.get().name == "Yearly service"


def test_the_administrators_page_creates_and_versions_a_checklist(
    client_for, administrator, technician, operator
):
    intervention = make_intervention(State.EXPECTED, technician=technician)
    client = client_for(administrator)
    assert client.get(reverse("calls:checklist_templates")).status_code == 200
    data = {
        "intervention_type": intervention.type.pk,
        "name": "Commissioning",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-0-label": "Earth connection tested",
        "items-0-kind": "yes_no",
        "items-1-label": "Voltage",
        "items-1-kind": "number",
        "items-1-unit": "V",
        "items-1-min_value": "380",
        "items-1-max_value": "420",
        "items-1-optional": "on",
    }
    response = client.post(reverse("calls:checklist_template_new"), data)
    assert response.status_code == 302
    template = ChecklistTemplate.objects.get()
    items = list(template.items.all())
    assert [(i.label, i.required) for i in items] == [
        ("Earth connection tested", True),
        ("Voltage", False),
    ]
    plan_with_visit(intervention, operator)
    edit = client.get(reverse("calls:checklist_template_edit", args=[template.pk]))
    assert 'data-testid="new-version-notice"' in edit.content.decode()
    data.update(
        {"items-INITIAL_FORMS": "2", "items-0-source": items[0].pk, "items-1-source": items[1].pk}
    )
    data["items-1-max_value"] = "440"
    client.post(reverse("calls:checklist_template_edit", args=[template.pk]), data)
    assert ChecklistTemplate.objects.count() == 2
    assert (
        ChecklistTemplate.objects.get(is_current=True).items.get(label="Voltage").max_value == 440
    )
    # Not for the other roles.
    assert client_for(operator).get(reverse("calls:checklist_templates")).status_code == 403
    assert client_for(technician).get(reverse("calls:checklist_templates")).status_code == 403


# --- Answers ------------------------------------------------------------------------------------
def test_a_number_out_of_range_is_refused_with_the_range_and_the_other_answers_are_saved(
    job, technician
):
    with pytest.raises(checklists.ChecklistInvalid) as refused:
        _answer(job, technician, **{"Safety guards in place": "yes", "Oil pressure": "9"})
    (message,) = refused.value.errors.values()
    assert message == "The value must be between 2 and 6 bar."
    assert refused.value.saved == 1
    # What fits is not lost because of another item.
    assert {a.item.label: a.value for a in ChecklistAnswer.objects.select_related("item")} == {
        "Safety guards in place": "yes"
    }


@pytest.mark.parametrize(
    ("label", "value", "message"),
    [
        ("Safety guards in place", "maybe", "Answer yes or no."),
        ("Oil pressure", "abc", "Type a number."),
        ("Oil pressure", "NaN", "Type a number."),
        ("Filter state", "burnt", "Choose one of the options."),
        ("Photo of the nameplate", "999999", "Choose one of this intervention's photos."),
    ],
)
def test_each_kind_refuses_what_does_not_fit(job, technician, label, value, message):
    with pytest.raises(checklists.ChecklistInvalid) as refused:
        _answer(job, technician, **{label: value})
    assert list(refused.value.errors.values()) == [message]


def test_the_technician_fills_the_checklist_on_the_page(client_for, job, technician):
    client = client_for(technician)
    page = client.get(_url("manage", job)).content.decode()
    assert page.count('data-testid="checklist-item"') == 5
    items = _items(job)
    photo = media.add_photo(
        intervention=job,
        acting_user=technician,
        upload=SimpleUploadedFile("plate.jpg", picture((200, 100)), "image/jpeg"),
    )
    response = client.post(
        _url("checklist_save", job),
        {
            f"item-{items['Safety guards in place'].pk}": "yes",
            f"item-{items['Oil pressure'].pk}": "12",
            f"item-{items['Photo of the nameplate'].pk}": str(photo.pk),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The value must be between 2 and 6 bar." in page
    assert 'value="12"' in page  # kept as typed
    assert "The other answers are saved" in page
    assert ChecklistAnswer.objects.get(item__label="Safety guards in place").value == "yes"
    response = client.post(
        _url("checklist_save", job),
        {
            f"item-{items['Safety guards in place'].pk}": "yes",
            f"item-{items['Oil pressure'].pk}": "3.5",
            f"item-{items['Photo of the nameplate'].pk}": str(photo.pk),
        },
    )
    assert response.status_code == 302
    answers = {a.item.label: a for a in ChecklistAnswer.objects.select_related("item")}
    assert answers["Oil pressure"].value == "3.5"
    assert answers["Photo of the nameplate"].photo == photo
    # A photo that answers an item is not removed under it.
    with pytest.raises(CallError, match="answers a checklist item"):
        media.remove_attachment(attachment=photo, acting_user=technician)


def test_a_technician_of_another_job_gets_404_and_cannot_answer(client_for, job, other_technician):
    items = _items(job)
    response = client_for(other_technician).post(
        _url("checklist_save", job), {f"item-{items['Oil pressure'].pk}": "3"}
    )
    assert response.status_code == 404
    with pytest.raises(CallRoleRefused):
        _answer(job, other_technician, **{"Oil pressure": "3"})
    assert not ChecklistAnswer.objects.exists()


def test_completion_is_refused_naming_the_required_items_missing(job, technician):
    _answer(job, technician, **{"Safety guards in place": "no"})
    with pytest.raises(CallError) as refused:
        _complete(job, technician)
    assert "Answer the checklist's required items: Oil pressure, Filter state." in str(
        refused.value.message
    )
    job.refresh_from_db()
    assert job.state == State.PLANNED and job.signed_at is None
    _answer(job, technician, **FULL)
    _complete(job, technician)
    job.refresh_from_db()
    assert job.state == State.DONE


def test_after_signing_answers_cannot_change_and_are_printed_in_the_report(
    client_for, job, technician, operator
):
    _answer(job, technician, **FULL, Remarks="Belt tension adjusted")
    _complete(job, technician)
    job.refresh_from_db()
    for user in (technician, operator):
        with pytest.raises(CallError, match="frozen"):
            _answer(job, user, **{"Oil pressure": "5"})
    response = client_for(technician).post(
        _url("checklist_save", job), {f"item-{_items(job)['Oil pressure'].pk}": "5"}
    )
    assert "frozen" in response.content.decode()
    assert ChecklistAnswer.objects.get(item__label="Oil pressure").value == "4.5"
    page = client_for(technician).get(_url("manage", job)).content.decode()
    assert 'data-testid="checklist-answers"' in page
    pdf = client_for(technician).get(_url("report_pdf", job)).content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for printed in ("Yearly service", "Oil pressure", "4.5 bar", "Belt tension adjusted", "clean"):
        assert printed in text


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_the_checklists_items(
    client_for, technician, operator, administrator
):
    small = make_intervention(State.EXPECTED, technician=technician)
    _template(administrator, small.type, ITEMS[:1])
    plan_with_visit(small, operator)
    large = make_intervention(State.EXPECTED, technician=technician)
    many = [dict(ITEMS[i % 4], label=f"Item {i}") for i in range(20)]
    _template(administrator, large.type, many)
    plan_with_visit(large, operator)
    large.refresh_from_db()
    checklists.save_answers(
        intervention=large,
        acting_user=technician,
        answers={item.pk: "yes" for item in large.checklist.items.filter(kind="yes_no")},
    )
    client = client_for(technician)
    assert _count(client, _url("manage", large)) == _count(client, _url("manage", small))
    admin = client_for(administrator)
    listed = _count(admin, reverse("calls:checklist_templates"))
    _template(administrator, large.type, many, name="Another")
    assert _count(admin, reverse("calls:checklist_templates")) == listed


# --- One item at a time (the phone saves each answer as its field is left) ------------------------
def _item_post(client, job, item, value, token=None, headers=None, **extra):
    data = {f"item-{item.pk}": value, f"token-{item.pk}": token or str(uuid.uuid4()), **extra}
    return client.post(
        _url("checklist_item_save", job, item.pk),
        data,
        headers={"HX-Request": "true", **(headers or {})},
    )


def _queued(user):
    return {offline.QUEUE_HEADER: "1", offline.USER_HEADER: str(user.pk)}


def _item_html(response, item) -> str:
    """The item's block in the page htmx gets (it swaps only that block)."""
    page = response.content.decode()
    start = page.index(f'id="checklist-item-{item.pk}"')
    return page[start : page.index('data-testid="checklist-item-state"', start) + 400]


def test_each_item_is_saved_on_its_own_and_shows_its_state(client_for, job, technician):
    client = client_for(technician)
    items = _items(job)
    response = _item_post(client, job, items["Safety guards in place"], "yes")
    assert response.status_code == 200
    block = _item_html(response, items["Safety guards in place"])
    assert "Saved at" in block and 'data-state="saved"' in block
    # An invalid item next: its own message, the answer typed kept in its field, the first
    # item's answer untouched.
    response = _item_post(client, job, items["Oil pressure"], "9")
    block = _item_html(response, items["Oil pressure"])
    assert "The value must be between 2 and 6 bar." in block
    assert 'value="9"' in block and 'data-state="refused"' in block
    assert {a.item.label: a.value for a in ChecklistAnswer.objects.select_related("item")} == {
        "Safety guards in place": "yes"
    }
    # The completion box (swapped with the item) still names the required items missing.
    assert "Oil pressure, Filter state" in response.content.decode()
    _item_post(client, job, items["Oil pressure"], "4,5")
    assert ChecklistAnswer.objects.get(item__label="Oil pressure").value == "4.5"
    # Clearing a field clears its answer.
    _item_post(client, job, items["Oil pressure"], "")
    assert not ChecklistAnswer.objects.filter(item__label="Oil pressure").exists()


def test_an_items_error_is_in_the_technicians_language(client_for, job, technician):
    technician.language = "it"
    technician.save()
    response = _item_post(client_for(technician), job, _items(job)["Oil pressure"], "abc")
    with translation.override("it"):
        expected = translation.gettext("Type a number.")
    assert expected != "Type a number."
    assert expected in _item_html(response, _items(job)["Oil pressure"])


def test_an_italian_technician_reads_a_saved_number_with_a_decimal_comma(
    client_for, job, technician
):
    technician.language = "it"
    technician.save()
    response = _item_post(client_for(technician), job, _items(job)["Oil pressure"], "4,5")
    assert ChecklistAnswer.objects.get(item__label="Oil pressure").value == "4.5"
    block = _item_html(response, _items(job)["Oil pressure"])
    assert 'value="4,5"' in block and 'data-state="saved"' in block
    # A value out of range names its bounds the Italian way too.
    refused = _item_post(client_for(technician), job, _items(job)["Oil pressure"], "9,5")
    assert 'value="9,5"' in _item_html(refused, _items(job)["Oil pressure"])


def test_an_item_sent_twice_with_its_token_is_already_saved_not_doubled(
    client_for, job, technician
):
    client = client_for(technician)
    item = _items(job)["Remarks"]
    token = str(uuid.uuid4())
    assert _item_post(client, job, item, "Belt adjusted", token).status_code == 200
    # The technician changed it since: a late repeat of the first send does not undo that.
    _item_post(client, job, item, "Belt replaced")
    again = _item_post(client, job, item, "Belt adjusted", token)
    assert again.status_code == 200
    assert ChecklistAnswer.objects.get(item=item).value == "Belt replaced"
    assert ChecklistAnswer.objects.filter(item=item).count() == 1


def test_an_item_without_its_token_is_refused_and_nothing_saved(client_for, job, technician):
    item = _items(job)["Oil pressure"]
    response = client_for(technician).post(
        _url("checklist_item_save", job, item.pk), {f"item-{item.pk}": "4"}
    )
    assert "could not be checked against double sending" in _item_html(response, item)
    assert not ChecklistAnswer.objects.exists()


def test_the_outbox_sends_an_item_answered_in_json(client_for, job, technician, operator):
    client = client_for(technician)
    items = _items(job)
    version = str(job.version)
    token = str(uuid.uuid4())
    data = {"record_version": version}
    first = _item_post(
        client, job, items["Filter state"], "dirty", token, _queued(technician), **data
    )
    assert first.status_code == 200 and first.json()["outcome"] == offline.SAVED
    again = _item_post(
        client, job, items["Filter state"], "dirty", token, _queued(technician), **data
    )
    assert again.status_code == 200 and again.json()["outcome"] == offline.ALREADY_SAVED
    refused = _item_post(
        client, job, items["Oil pressure"], "99", None, _queued(technician), **data
    )
    assert refused.status_code == 422 and refused.json()["outcome"] == offline.REFUSED
    assert "between 2 and 6 bar" in refused.json()["message"]
    # The office changed the job meanwhile: a conflict, nothing saved over it.
    fresh = type(job).objects.get(pk=job.pk)
    services.fill_intervention_section(
        intervention=fresh,
        acting_user=operator,
        version=fresh.version,
        type=fresh.type,
        requested_date=fresh.requested_date,
        technician=fresh.technician,
        what_to_bring="Ladder",
    )
    stale = _item_post(
        client, job, items["Remarks"], "Typed below", None, _queued(technician), **data
    )
    assert stale.status_code == 409 and stale.json()["outcome"] == offline.CONFLICT
    assert {a.item.label: a.value for a in ChecklistAnswer.objects.select_related("item")} == {
        "Filter state": "dirty"
    }
    # Another user's entry on this phone is never sent under this session.
    other = _item_post(client, job, items["Remarks"], "x", None, _queued(operator))
    assert other.status_code == 403


def test_the_whole_form_sent_by_the_outbox_answers_in_json(client_for, job, technician):
    items = _items(job)
    response = client_for(technician).post(
        _url("checklist_save", job),
        {
            f"item-{items['Safety guards in place'].pk}": "yes",
            f"item-{items['Oil pressure'].pk}": "7",
            "record_version": str(job.version),
        },
        headers=_queued(technician),
    )
    assert response.status_code == 422
    assert "between 2 and 6 bar" in response.json()["message"]
    assert ChecklistAnswer.objects.get().item.label == "Safety guards in place"


def test_an_item_is_frozen_by_the_signature_and_others_get_404(
    client_for, job, technician, other_technician, operator, administrator
):
    _answer(job, technician, **FULL)
    _complete(job, technician)
    item = _items(job)["Oil pressure"]
    response = _item_post(client_for(technician), job, item, "5")
    assert "frozen" in response.content.decode()
    assert response["HX-Retarget"] == "#management"
    queued = _item_post(client_for(technician), job, item, "5", None, _queued(technician))
    assert queued.status_code == 422 and "frozen" in queued.json()["message"]
    assert ChecklistAnswer.objects.get(item=item).value == "4.5"
    assert _item_post(client_for(other_technician), job, item, "5").status_code == 404
    # An item of another intervention's checklist is not this job's: 404.
    other = make_intervention(State.EXPECTED, technician=technician)
    _template(administrator, other.type, ITEMS[:1], name="Other")
    foreign = ChecklistTemplate.objects.get(name="Other").items.get()
    assert _item_post(client_for(operator), job, foreign, "yes").status_code == 404
