"""Forms of final verification and invoicing (the rules live in ``invoicing.services``)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from invoicing.models import LineKind
from service_portal.forms import DateInput
from service_portal.idempotency import SubmissionTokenMixin
from service_portal.models import PaymentMethod


class CorrectionForm(SubmissionTokenMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Line"), choices=LineKind.choices)
    quantity = forms.DecimalField(
        label=_("Corrected hours"),
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
        help_text=_("For labour and travel."),
    )
    amount = forms.DecimalField(
        label=_("Corrected amount"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=_("For the other lines."),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


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
