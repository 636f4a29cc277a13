"""Forms of final verification and invoicing (the rules live in ``invoicing.services``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from invoicing.models import LineKind
from service_portal.idempotency import SubmissionTokenMixin


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
