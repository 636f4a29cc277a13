"""Forms of final verification and invoicing (the rules live in ``invoicing.services``)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from invoicing.models import LineKind
from service_portal.forms import DateInput
from service_portal.idempotency import SubmissionTokenMixin
from service_portal.models import PaymentMethod
from service_portal.roles import Role


class CorrectionForm(SubmissionTokenMixin, forms.Form):
    """Correct one line of the bill (quantity, unit price, discount), remove it, or add one."""

    line = forms.ChoiceField(label=_("Line"), required=False)
    remove = forms.BooleanField(label=_("Remove this line"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind of the new line"),
        choices=[("", "—"), *LineKind.choices],
        required=False,
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    quantity = forms.DecimalField(
        label=_("Quantity"), required=False, min_value=0, max_digits=8, decimal_places=2
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=_("Before the discount. Leave empty to keep the current one."),
    )
    discount = forms.DecimalField(
        label=_("Discount (%)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, lines: Iterable = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [
            ("", _("— add a new line —")),
            *((line.key, f"{line.kind_label}: {line.description}") for line in lines),
        ]


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class CreditNoteForm(SubmissionTokenMixin, forms.Form):
    """The credit note of an issued invoice: the whole of it, or the amounts typed against its
    lines (``amount_<line pk>``; blank lines are not credited)."""

    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    rebill = forms.BooleanField(
        label=_("The credited calls can be invoiced again"),
        required=False,
        initial=True,
        help_text=_(
            "Their interventions go back to “verified”: correct them if needed, then put "
            "them on a new invoice."
        ),
    )

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"amount_{line.pk}"] = forms.DecimalField(
                label=line.description,
                required=False,
                min_value=Decimal("0.01"),
                max_digits=12,
                decimal_places=2,
                localize=True,
            )

    def amounts(self) -> dict[int, Decimal] | None:
        """{line pk: amount} typed, or None when no amount was typed (the whole invoice)."""
        typed = {
            line.pk: self.cleaned_data[f"amount_{line.pk}"]
            for line in self.lines
            if self.cleaned_data.get(f"amount_{line.pk}") is not None
        }
        return typed or None

    def amount_field(self, line):
        return self[f"amount_{line.pk}"]


class BatchForm(forms.Form):
    up_to = forms.DateField(
        label=_("Verified up to"),
        widget=DateInput(),
        help_text=_("Every call whose interventions were all verified by this day."),
    )


class PaymentForm(SubmissionTokenMixin, forms.Form):
    """Money received against an issued invoice (the rules live in ``invoicing.payments``)."""

    date = forms.DateField(label=_("Payment date"), widget=DateInput())
    amount = forms.DecimalField(
        label=_("Amount"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=140,
        required=False,
        help_text=_("E.g. the bank transfer's reference (CRO/TRN)."),
    )


class ExpensesReportForm(forms.Form):
    """The month (and optionally the technician) of the expenses report."""

    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    technician = forms.ModelChoiceField(
        label=_("Technician"),
        required=False,
        queryset=User.objects.filter(role=Role.TECHNICIAN).order_by("last_name", "first_name"),
    )
