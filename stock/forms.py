"""The new-move form (receipt, transfer, adjustment) and the van restock form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from orders.models import SparePart
from service_portal.idempotency import SubmissionTokenMixin
from stock.models import MoveKind, Warehouse

MANUAL_KINDS = [
    (MoveKind.RECEIPT, MoveKind.RECEIPT.label),
    (MoveKind.TRANSFER, MoveKind.TRANSFER.label),
    (MoveKind.ADJUSTMENT, MoveKind.ADJUSTMENT.label),
]


class MoveForm(SubmissionTokenMixin, forms.Form):
    """A receipt (into a warehouse), a transfer (from one to another) or an adjustment (up or
    down in one warehouse, with its reason). Shape and stock are checked by
    ``stock.services.record_move``; here only the typed values."""

    kind = forms.ChoiceField(label=_("Kind"), choices=MANUAL_KINDS)
    part_code = forms.CharField(label=_("Spare part code"), max_length=50)
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=12,
        decimal_places=3,
        min_value=Decimal("0.001"),
        help_text=_("For an adjustment: the quantity added or removed."),
    )
    from_warehouse = forms.ModelChoiceField(
        label=_("From warehouse"),
        queryset=Warehouse.objects.filter(is_active=True),
        required=False,
        help_text=_("Transfer, or an adjustment that removes stock."),
    )
    to_warehouse = forms.ModelChoiceField(
        label=_("To warehouse"),
        queryset=Warehouse.objects.filter(is_active=True),
        required=False,
        help_text=_("Receipt, transfer, or an adjustment that adds stock."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=60,
        required=False,
        help_text=_("A delivery note or document number, for people reading the moves."),
    )

    def clean_part_code(self) -> SparePart:
        code = self.cleaned_data["part_code"].strip()
        part = SparePart.objects.filter(code__iexact=code).first()
        if part is None:
            raise forms.ValidationError(_("No spare part has this code."))
        return part

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("submission_token", None)
        data["spare_part"] = data.pop("part_code")
        return data


class RestockForm(forms.Form):
    """One quantity per proposed part (``qty_<part id>``), and the source warehouse."""

    source = forms.ModelChoiceField(
        label=_("From warehouse"),
        queryset=Warehouse.objects.filter(is_active=True).exclude(kind="van"),
    )

    def __init__(self, *args: Any, part_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for pk in part_ids:
            self.fields[f"qty_{pk}"] = forms.DecimalField(
                label=_("Quantity"),
                max_digits=12,
                decimal_places=3,
                min_value=Decimal("0"),
                required=False,
            )

    def quantities(self) -> dict[int, Decimal]:
        return {
            int(name[4:]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("qty_") and value
        }
