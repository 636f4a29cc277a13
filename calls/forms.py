"""Forms of the new-call page and of the management page's sections.

They only parse and validate input; the services decide and write.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from calls.models import (
    Call,
    Channel,
    ChecklistItemKind,
    ExpenseKind,
    InterventionType,
    NoteKind,
    Priority,
    State,
)
from customers.models import Contact, Customer, Site, Unit
from orders.models import OrderLine, SparePart
from service_portal.forms import DateInput, DateTimeInput, PlausibleDateField, VersionMixin
from service_portal.idempotency import SubmissionTokenMixin
from service_portal.roles import Role
from stock.models import Warehouse


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.serial_number} – {obj.product.code} ({obj.site.name})"


class TechnicianChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return str(obj)


def active_technicians():
    return User.objects.filter(role=Role.TECHNICIAN, is_active=True)


class CallForm(VersionMixin):
    """The call section: where (site, contact, unit), what, how it came in.

    Every choice is limited to ``customer``'s own records; the unit decides the site when the
    user picks a unit first.
    """

    editing = True  # the call section of an existing call (NewCallForm creates one)

    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    contact = forms.ModelChoiceField(
        label=_("Contact"), queryset=Contact.objects.none(), required=False
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    received_at = forms.DateTimeField(
        label=_("Received at"),
        widget=DateTimeInput(),
    )
    description = forms.CharField(
        label=_("Problem description"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )

    def __init__(self, *args: Any, customer: Customer | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.initial.setdefault("channel", Channel.PHONE)
        self.initial.setdefault("priority", Priority.NORMAL)
        self.initial.setdefault("received_at", timezone.localtime().replace(second=0))
        self.fields["site"].required = False  # the unit may give it; clean() insists
        if customer is None:
            return
        self.fields["site"].queryset = Site.objects.filter(customer=customer, is_active=True)
        self.fields["contact"].queryset = Contact.objects.filter(customer=customer, is_active=True)
        self.fields["unit"].queryset = Unit.objects.with_relations().filter(
            site__customer=customer, is_active=True
        )

    @classmethod
    def for_call(cls, call: Call, data: Any = None) -> CallForm:
        initial = {
            "site": call.site_id,
            "unit": call.unit_id,
            "contact": call.contact_id,
            "channel": call.channel,
            "priority": call.priority,
            "received_at": timezone.localtime(call.received_at),
            "description": call.description,
            "version": call.version,
        }
        return cls(data, customer=call.customer, initial=initial, prefix="call")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        unit, site = data.get("unit"), data.get("site")
        if unit is not None and site is None:
            data["site"] = unit.site
        elif unit is not None and site is not None and unit.site_id != site.pk:
            self.add_error("unit", _("This unit is installed at another site."))
        elif site is None and "site" not in self.errors:
            self.add_error("site", _("Choose the site (or the unit)."))
        return data


class NewCallForm(SubmissionTokenMixin, CallForm):
    """The call form of the new-call page: the customer comes from the picker; the submission
    token makes a double submit create one call.

    A call needs whom to ask: the contact, or why there is none. A customer's only site is
    chosen for the operator; choosing the unit refreshes the customer's fields (with htmx) to
    warn of the unit's open calls and its warranty.
    """

    customer = forms.ModelChoiceField(
        queryset=Customer.objects.filter(is_active=True), widget=forms.HiddenInput
    )
    no_contact_reason = forms.CharField(
        label=_("No contact: why?"),
        required=False,
        max_length=200,
        help_text=_("Only when nobody can be named (for example: anonymous caller)."),
    )

    editing = False  # creates the call: a submission token, no version
    field_order = ["customer"]

    def __init__(self, *args: Any, customer: Customer | None, **kwargs: Any) -> None:
        super().__init__(*args, customer=customer, **kwargs)
        if customer is None:
            return
        self.fields["unit"].widget.attrs.update(
            {
                "hx-get": reverse("calls:customer_fields"),
                "hx-trigger": "change",
                "hx-target": "#customer-fields",
                "hx-include": "#customer-fields",
            }
        )
        if not self.is_bound and not self.initial.get("site"):
            sites = list(self.fields["site"].queryset[:2])
            if len(sites) == 1:
                self.initial["site"] = sites[0].pk

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["no_contact_reason"] = (data.get("no_contact_reason") or "").strip()
        if data.get("contact") is None and not data["no_contact_reason"]:
            if "contact" not in self.errors:
                self.add_error("contact", _("Choose the contact, or say below why there is none."))
        elif data.get("contact") is not None:
            data["no_contact_reason"] = ""
        return data


class InterventionForm(VersionMixin):
    """The intervention section (an on-site visit is needed)."""

    editing = True

    type = forms.ModelChoiceField(
        label=_("Intervention type"), queryset=InterventionType.objects.filter(is_active=True)
    )
    requested_date = PlausibleDateField(
        label=_("Requested date"),
        widget=DateInput(),
    )
    technician = TechnicianChoiceField(
        label=_("Technician"), queryset=User.objects.none(), required=False
    )
    expected_hours = forms.DecimalField(
        label=_("Expected duration (hours)"),
        max_digits=5,
        decimal_places=2,
        min_value=0.25,
        required=False,
    )
    what_to_bring = forms.CharField(
        label=_("What to bring"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "intervention")
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = active_technicians()

    suggested_warranty: InterventionType | None = None

    @classmethod
    def for_intervention(
        cls, intervention: Any, data: Any = None, *, under_warranty: bool = False
    ) -> InterventionForm:
        """The section's form; for a unit under warranty whose type is not chosen yet, the
        warranty type is suggested (pre-selected, the operator may change it)."""
        initial = {
            "type": intervention.type_id,
            "requested_date": intervention.requested_date,
            "technician": intervention.technician_id,
            "expected_hours": intervention.expected_hours,
            "what_to_bring": intervention.what_to_bring,
            "version": intervention.version,
        }
        suggested = None
        if under_warranty and intervention.type_id is None:
            suggested = InterventionType.objects.filter(is_active=True, is_warranty=True).first()
            if suggested is not None:
                initial["type"] = suggested.pk
        form = cls(data, initial=initial)
        form.suggested_warranty = suggested
        return form


class NoteForm(SubmissionTokenMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=NoteKind.choices)
    text = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    def __init__(self, *args: Any, kinds: list[str] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "note")
        super().__init__(*args, **kwargs)
        if kinds is not None:  # after the signature, no more report notes (calls.access)
            field = self.fields["kind"]
            field.choices = [c for c in NoteKind.choices if c[0] in kinds]  # type: ignore[attr-defined]


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(choices=State.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class ResolveByPhoneForm(forms.Form):
    """How a call was solved on the phone: the solution is required, the cause when known."""

    cause = forms.CharField(
        label=_("Cause"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    solution = forms.CharField(
        label=_("How was it solved?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        error_messages={
            "required": _("Say how the problem was solved: the next operator will look for it.")
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "resolve")
        super().__init__(*args, **kwargs)


class FollowUpForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is another intervention needed?"),
        max_length=1000,
        error_messages={"required": _("Say why a follow-up intervention is needed.")},
    )


class ExpenseForm(SubmissionTokenMixin, forms.Form):
    """Section 4: one travel expense. Limits and the receipt's content are checked by
    ``calls.services.actuals.add_expense``; the form only parses."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ExpenseKind.choices)
    date = PlausibleDateField(label=_("Date"), widget=DateInput())
    km = forms.DecimalField(label=_("Kilometres"), required=False, max_digits=8, decimal_places=1)
    km_rate = forms.DecimalField(
        label=_("Rate per km"), required=False, max_digits=6, decimal_places=3
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        max_digits=10,
        decimal_places=2,
        help_text=_("For kilometres the amount is computed from the distance and the rate."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)
    receipt = forms.FileField(
        label=_("Receipt"),
        required=False,
        help_text=_("Optional: a photo (JPEG, PNG) or a PDF, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "expense")
        super().__init__(*args, **kwargs)


class PartUsedForm(SubmissionTokenMixin, forms.Form):
    """Section 5: one spare part used (limits checked by ``calls.services.actuals.add_part``). Each
    search result is one such form with its own submission token: a double click records the
    part once."""

    spare_part = forms.ModelChoiceField(
        label=_("Spare part"), queryset=SparePart.objects.filter(is_active=True)
    )
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=10, decimal_places=2)
    serial_or_lot = forms.CharField(label=_("Serial or lot"), required=False, max_length=60)
    under_warranty = forms.BooleanField(label=_("Under warranty"), required=False)
    # Empty: the van of the intervention's technician (calls.services.actuals.add_part decides
    # who may take from which warehouse).
    warehouse = forms.ModelChoiceField(
        label=_("Taken from"),
        queryset=Warehouse.objects.filter(is_active=True),
        required=False,
    )


class PartFromOrderForm(SubmissionTokenMixin, forms.Form):
    """Section 5: a part taken from an order of this call (checked by ``actuals.add_part``:
    the line must be one of the call's orders, with enough left)."""

    order_line = forms.ModelChoiceField(label=_("Order line"), queryset=OrderLine.objects.all())
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=10, decimal_places=2)
    serial_or_lot = forms.CharField(label=_("Serial or lot"), required=False, max_length=60)


class CompletionForm(SubmissionTokenMixin, forms.Form):
    """The customer's signature marking the job done: only its submission token is a form field
    (the signature and the signer's name are read by the view). A repeat of the same form (a
    double tap, the phone's outbox sending it again) is told it was already saved."""

    editing = False


class PhotoForm(SubmissionTokenMixin, forms.Form):
    """A photo of the work (issue 21): the phone opens its camera, or a file is chosen. The
    content, size and conversion are ``calls.services.media``'s."""

    file = forms.FileField(
        label=_("Photo"),
        help_text=_("Take a photo or choose one: JPEG, PNG or HEIC, at most %(mb)s MB."),
        error_messages={"required": _("Take or choose a photo.")},
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.conf import settings

        kwargs.setdefault("prefix", "photo")
        super().__init__(*args, **kwargs)
        megabytes = settings.ATTACHMENT_PHOTO_MAX_BYTES // (1024 * 1024)
        self.fields["file"].help_text = self.fields["file"].help_text % {"mb": megabytes}


class DocumentForm(SubmissionTokenMixin, forms.Form):
    """A manual or drawing the office attaches for the technician (issue 21)."""

    file = forms.FileField(
        label=_("Document"),
        help_text=_("A PDF, or a JPEG, PNG or HEIC picture, at most %(mb)s MB."),
        error_messages={"required": _("Choose a document.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf,image/*"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.conf import settings

        kwargs.setdefault("prefix", "document")
        super().__init__(*args, **kwargs)
        megabytes = settings.ATTACHMENT_DOCUMENT_MAX_BYTES // (1024 * 1024)
        self.fields["file"].help_text = self.fields["file"].help_text % {"mb": megabytes}


class ChecklistTemplateForm(forms.Form):
    """The checklist's type and name (in the reader's language; the other languages are
    edited in the Django admin)."""

    intervention_type = forms.ModelChoiceField(
        label=_("Intervention type"), queryset=InterventionType.objects.filter(is_active=True)
    )
    name = forms.CharField(label=_("Name"), max_length=120)


class ChecklistItemForm(forms.Form):
    """One item of a checklist; ``source`` is the item of the version being edited."""

    source = forms.IntegerField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(label=_("Question"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=ChecklistItemKind.choices)
    # "Optional" rather than "required": an empty extra form stays unchanged (and skipped).
    optional = forms.BooleanField(
        label=_("Optional"),
        required=False,
        help_text=_("Required items must be answered before the intervention is completed."),
    )
    unit = forms.CharField(
        label=_("Unit"), max_length=20, required=False, help_text=_("For a number: bar, °C, mm…")
    )
    min_value = forms.DecimalField(
        label=_("Minimum"), required=False, max_digits=12, decimal_places=3
    )
    max_value = forms.DecimalField(
        label=_("Maximum"), required=False, max_digits=12, decimal_places=3
    )
    options = forms.CharField(
        label=_("Options"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For a choice: one option a line."),
    )


ChecklistItemFormSet = forms.formset_factory(
    ChecklistItemForm, extra=2, can_delete=True, max_num=100, validate_max=True
)


class CounterReadingForm(SubmissionTokenMixin, forms.Form):
    """A running-hours reading of the job's unit (checked by
    ``calls.services.maintenance.record_reading``; the form only parses)."""

    hours = forms.DecimalField(
        label=_("Running hours"),
        max_digits=10,
        decimal_places=1,
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
    )
    read_on = PlausibleDateField(label=_("Read on"), widget=DateInput())
    is_replacement = forms.BooleanField(
        label=_("New counter (the old one was replaced)"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "counter")
        super().__init__(*args, **kwargs)
