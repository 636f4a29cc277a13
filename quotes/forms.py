"""Forms of the price-list and quote pages. Business rules live in quotes/services.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contracts.models import Contract
from customers.models import Customer
from quotes.models import PriceList, Quote, Rate, RateKind
from quotes.services import LineChange
from service_portal.forms import DateInput, PlausibleDateField, VersionedModelForm, VersionMixin
from service_portal.i18n import label_description_fields, localized_fields
from service_portal.idempotency import SubmissionTokenMixin


def _compact(form: forms.BaseForm) -> None:
    """Bootstrap classes for forms rendered as table rows (``{% crispy_field %}``); the column's
    heading is not the field's label, so each field names itself (``aria-label``)."""
    for field in form.fields.values():
        widget = field.widget
        if field.label:
            widget.attrs.setdefault("aria-label", str(field.label))
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select form-select-sm"
        else:
            css = "form-control form-control-sm"
        if isinstance(widget, forms.NumberInput):
            css += " text-end"
        widget.attrs["class"] = css


class PriceListForm(VersionedModelForm):
    class Meta:
        model = PriceList
        fields = [
            "name",
            "customer",
            "contract",
            "is_warranty",
            "is_default",
            "valid_from",
            "valid_to",
            "currency",
            "active",
            "notes",
        ]
        widgets = {
            "valid_from": DateInput(),
            "valid_to": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, customer_pk: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The choice is between "standard" and one customer (picked by searching before, or the
        # list's own): a select of every customer would not scale to thousands of them.
        customer_pk = customer_pk or self.instance.customer_id
        field = self.fields["customer"]
        field.queryset = (
            Customer.objects.filter(pk=customer_pk) if customer_pk else Customer.objects.none()
        )
        field.empty_label = _("(standard list, every customer)")
        if customer_pk and not self.instance.pk:
            self.initial.setdefault("customer", customer_pk)
        # A contract's list belongs to the contract's customer: only that customer's contracts.
        contract = self.fields["contract"]
        contract.queryset = (
            Contract.objects.filter(customer_id=customer_pk).order_by("-start_date")
            if customer_pk
            else Contract.objects.none()
        )
        contract.empty_label = _("(no contract)")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        contract, customer = cleaned.get("contract"), cleaned.get("customer")
        if contract is not None and (customer is None or contract.customer_id != customer.pk):
            self.add_error("contract", _("The contract must be the customer's own."))
        return cleaned

    def clean_currency(self) -> str:
        currency = self.cleaned_data["currency"].strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise forms.ValidationError(_("Use a three-letter ISO code such as EUR."))
        return currency


class RateForm(forms.ModelForm):
    class Meta:
        model = Rate
        fields = ["code", *localized_fields("description"), "kind", "unit", "price", "position"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        label_description_fields(self)
        _compact(self)


class _RateRows(forms.BaseInlineFormSet):
    def add_fields(self, form: forms.BaseForm, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:  # added here, after the form's own fields: name it too
            form.fields["DELETE"].widget.attrs["aria-label"] = str(form.fields["DELETE"].label)


RateFormSet = forms.inlineformset_factory(
    PriceList,
    Rate,
    form=RateForm,
    formset=_RateRows,
    extra=3,
    can_delete=True,
    max_num=200,
    validate_max=True,
)


class CopyPriceListForm(SubmissionTokenMixin, forms.Form):
    name = forms.CharField(label=_("Name of the new list"), max_length=120)
    valid_from = PlausibleDateField(label=_("Valid from"), widget=DateInput())
    valid_to = PlausibleDateField(label=_("Valid to"), required=False, widget=DateInput())
    percent_increase = forms.DecimalField(
        label=_("Price increase (%)"),
        max_digits=6,
        decimal_places=2,
        initial=Decimal("0"),
        help_text=_("Every price is raised by this percentage and rounded to the cent."),
    )


class QuoteCreateForm(SubmissionTokenMixin, forms.Form):
    price_list = forms.ModelChoiceField(
        label=_("Price list"), queryset=PriceList.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, price_lists: list[PriceList], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["price_list"]
        field.queryset = PriceList.objects.filter(pk__in=[pl.pk for pl in price_lists])
        # Keep the order of price_lists_for(): the customer's own (or warranty) list first.
        field.choices = [(pl.pk, _describe(pl)) for pl in price_lists]
        if price_lists:
            self.initial.setdefault("price_list", price_lists[0].pk)


def _describe(price_list: PriceList) -> str:
    if price_list.is_warranty:
        return _("%(name)s (warranty)") % {"name": price_list.name}
    if price_list.customer_id:
        return _("%(name)s (customer's own list)") % {"name": price_list.name}
    return price_list.name


class QuoteLineForm(forms.Form):
    """One existing line of the editor; price and discount are disabled without permission."""

    id = forms.IntegerField(widget=forms.HiddenInput)
    # No range here: the service checks quantities and explains what is wrong with each line.
    quantity = forms.DecimalField(label=_("Quantity"))
    unit_price = forms.DecimalField(
        label=_("Unit price"), max_digits=10, decimal_places=2, min_value=Decimal("0")
    )
    discount = forms.DecimalField(
        label=_("Discount (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
    )
    DELETE = forms.BooleanField(label=_("Remove"), required=False)

    def __init__(self, *args: Any, may_price: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("unit_price", "discount"):
            self.fields[name].disabled = not may_price
        self.fields["quantity"].widget.attrs["step"] = "0.01"
        _compact(self)

    def change(self) -> LineChange:
        data = self.cleaned_data
        return LineChange(
            line_id=data["id"],
            quantity=data["quantity"],
            unit_price=data["unit_price"],
            discount=data["discount"],
            delete=data.get("DELETE", False),
        )


QuoteLineFormSet = forms.formset_factory(QuoteLineForm, extra=0, max_num=500, validate_max=True)


class AddLineForm(forms.Form):
    """Optional row under the lines: add a rate of the quote's price list, or a free line."""

    rate = forms.ModelChoiceField(
        label=_("Add a rate"), queryset=Rate.objects.none(), required=False
    )
    code = forms.CharField(label=_("Code"), max_length=30, required=False)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    unit = forms.CharField(
        label=pgettext_lazy("unit of measure", "Unit"), max_length=20, required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=RateKind.choices, initial=RateKind.OTHER)
    quantity = forms.DecimalField(label=_("Quantity"), required=False)
    unit_price = forms.DecimalField(
        label=_("Unit price"), max_digits=10, decimal_places=2, required=False
    )

    def __init__(self, *args: Any, quote: Quote, may_price: bool, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "add")
        super().__init__(*args, **kwargs)
        self.may_price = may_price
        self.fields["rate"].queryset = quote.price_list.rates.all()
        self.fields["rate"].empty_label = _("(none)")
        if not may_price:
            for name in ("code", "description", "unit", "kind", "unit_price"):
                del self.fields[name]

    def change(self) -> LineChange | None:
        """The line to add, or None when the row was left empty."""
        data = self.cleaned_data
        rate = data.get("rate")
        description = (data.get("description") or "").strip()
        if rate is None and not description:
            return None
        quantity = data.get("quantity")
        if quantity is None:
            quantity = Decimal("1")
        if rate is not None:
            return LineChange(rate_id=rate.pk, quantity=quantity)
        return LineChange(
            quantity=quantity,
            code=data.get("code") or "",
            description=description,
            unit=data.get("unit") or "",
            kind=data.get("kind") or RateKind.OTHER,
            unit_price=data.get("unit_price") or Decimal("0"),
        )


class QuoteTermsForm(VersionMixin):
    """The quote's terms; its ``version`` is the quote's when the editor was loaded."""

    editing = True
    vat_rate = forms.DecimalField(
        label=_("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, may_price: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vat_rate"].disabled = not may_price


class PublicQuoteDecisionForm(forms.Form):
    """The customer's answer through the link; a refusal asks why (checked by the service)."""

    name = forms.CharField(label=_("Your name"), max_length=150)
    reason = forms.CharField(
        label=_("If you decline: why?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("It helps us make a better offer."),
    )
