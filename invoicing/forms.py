"""Forms of final verification and invoicing (the rules live in ``invoicing.services``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from invoicing.models import LineKind
from service_portal.idempotency import SubmissionTokenMixin
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


class CreditNoteForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
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
