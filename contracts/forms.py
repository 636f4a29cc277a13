from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from contracts import services
from contracts.models import Contract, Priority
from customers.models import Customer, Site, Unit
from service_portal.forms import DateInput, VersionedModelForm
from service_portal.pickers import PickerSelect

TARGET_FIELDS = [
    (priority, f"response_{priority}", f"resolution_{priority}") for priority in Priority.values
]


class ContractForm(VersionedModelForm):
    """A contract with its coverage, fee and SLA targets (two fields per priority).

    The covered units and sites are chosen among the customer's own: on a new contract once the
    customer is known (the list's "New contract" asks for it first), on an existing one always.
    """

    class Meta:
        model = Contract
        fields = [
            "code",
            "customer",
            "description",
            "units",
            "sites",
            "start_date",
            "end_date",
            "auto_renew",
            "notice_days",
            "labour",
            "labour_discount",
            "travel",
            "travel_discount",
            "call_out",
            "call_out_discount",
            "parts",
            "parts_discount",
            "fee_period",
            "fee_amount",
            "notes",
            "is_active",
        ]
        widgets = {
            "customer": PickerSelect("customers:customer_picker"),
            "start_date": DateInput(),
            "end_date": DateInput(),
            "units": forms.CheckboxSelectMultiple(),
            "sites": forms.CheckboxSelectMultiple(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, customer: Customer | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        customer = customer or (self.instance.customer if self.instance.customer_id else None)
        self.customer = customer
        field = self.fields["customer"]
        if customer is not None:
            # The customer never changes: the contract, its calls and fees are that customer's.
            field.queryset = Customer.objects.filter(pk=customer.pk)
            field.initial = customer.pk
            field.disabled = True
            self.fields["units"].queryset = Unit.objects.filter(
                site__customer=customer
            ).select_related("product", "site")
            self.fields["sites"].queryset = Site.objects.filter(customer=customer)
        else:
            field.queryset = Customer.objects.filter(is_active=True)
            del self.fields["units"], self.fields["sites"]
        targets = {t.priority: t for t in self.instance.targets.all()} if self.instance.pk else {}
        for priority, response, resolution in TARGET_FIELDS:
            label = Priority(priority).label
            target = targets.get(priority)
            self.fields[response] = forms.DecimalField(
                label=_("%(priority)s: response (business hours)") % {"priority": label},
                required=False,
                min_value=Decimal("0.25"),
                max_digits=6,
                decimal_places=2,
                initial=target.response_hours if target else None,
            )
            self.fields[resolution] = forms.DecimalField(
                label=_("%(priority)s: resolution (business hours)") % {"priority": label},
                required=False,
                min_value=Decimal("0.25"),
                max_digits=6,
                decimal_places=2,
                initial=target.resolution_hours if target else None,
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for kind in ("labour", "travel", "call_out", "parts"):
            if cleaned.get(kind) == "discounted" and not cleaned.get(f"{kind}_discount"):
                self.add_error(f"{kind}_discount", _("Say the discount of what is discounted."))
        if cleaned.get("fee_period", "none") != "none" and not cleaned.get("fee_amount"):
            self.add_error("fee_amount", _("A periodic fee needs its amount."))
        for _priority, response, resolution in TARGET_FIELDS:
            first, second = cleaned.get(response), cleaned.get(resolution)
            if (first is None) != (second is None):
                self.add_error(resolution, _("Give both targets of a priority, or neither."))
            elif first is not None and second is not None and second < first:
                self.add_error(resolution, _("The resolution cannot come before the response."))
        return cleaned

    @transaction.atomic
    def save(self, commit: bool = True) -> Contract:
        contract = super().save(commit=commit)
        if commit:
            services.set_targets(contract=contract, targets=self.targets())
        return contract

    def targets(self) -> dict[str, tuple[Decimal, Decimal]]:
        return {
            priority: (self.cleaned_data[response], self.cleaned_data[resolution])
            for priority, response, resolution in TARGET_FIELDS
            if self.cleaned_data.get(response) is not None
        }
