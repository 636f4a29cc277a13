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


class CreditNoteForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
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
