"""Forms of the offer wizard, the decision and the import. Choices always follow the customer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from customers.models import Contact, Customer, Site, Unit
from orders.models import DeliveryTerm, Offer, PaymentMethod, Transport, VatRate
from service_portal.forms import DateInput, VersionedModelForm, VersionMixin, parse_id
from service_portal.idempotency import SubmissionTokenMixin
from service_portal.pickers import PickerSelect

# An ERP catalogue of 100,000 articles is about 8 MB as CSV; anything larger is not a catalogue
# and would tie up an app process while it is parsed.
MAX_IMPORT_BYTES = 10 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (.csv or .xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


def _refresh_on_change(field: forms.Field, url: str) -> None:
    """Changing this select reloads the form so the dependent choices follow (htmx)."""
    field.widget.attrs.update(
        {
            "hx-get": url,
            "hx-target": "#offer-form",
            "hx-select": "#offer-form",
            "hx-swap": "outerHTML",
            "hx-include": "closest form",
            "hx-trigger": "change",
        }
    )


class OfferPartiesForm(SubmissionTokenMixin, forms.Form):
    """Step 1: customer, site, contact and, optionally, one of the customer's units."""

    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Customer.objects.filter(is_active=True),
        widget=PickerSelect("customers:customer_picker"),
    )
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    contact = forms.ModelChoiceField(label=_("Contact"), queryset=Contact.objects.none())
    unit = forms.ModelChoiceField(
        label=_("Unit (serial number)"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("(no specific unit)"),
    )

    def __init__(self, *args: Any, refresh_url: str, customer: Customer | None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _refresh_on_change(self.fields["customer"], refresh_url)
        if customer is not None:
            self.fields["site"].queryset = customer.sites.filter(is_active=True)
            self.fields["contact"].queryset = customer.contacts.filter(is_active=True)
            self.fields["unit"].queryset = Unit.objects.with_relations().filter(
                site__customer=customer, is_active=True
            )


class LineForm(VersionMixin):
    """One cart line's editable numbers (the cart shows one small form per line); its version
    is the line's when the cart was shown (``services.update_line`` refuses a stale one)."""

    editing = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.visible_fields():
            field.field.widget.attrs.update({"class": "form-control form-control-sm text-end"})

    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=12, decimal_places=3, min_value=Decimal("0.001")
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"), max_digits=12, decimal_places=2, min_value=Decimal("0")
    )
    discount_percent = forms.DecimalField(
        label=_("Discount %"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )


class OfferTermsForm(VersionedModelForm):
    """Step 3: billing data and terms; billing site and contact follow the billing customer.

    The inherited ``version`` field lets the service refuse to overwrite a change someone else
    made to the draft after this page was opened.
    """

    class Meta:
        model = Offer
        fields = [
            "billing_customer",
            "billing_site",
            "billing_contact",
            "delivery_days",
            "payment_method",
            "vat_rate",
            "delivery_term",
            "transport",
            "packing_included",
            "valid_until",
            "show_prices",
            "notes",
        ]
        widgets = {
            "billing_customer": PickerSelect("customers:customer_picker"),
            "valid_until": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, refresh_url: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["billing_customer"].queryset = Customer.objects.filter(is_active=True)
        _refresh_on_change(self.fields["billing_customer"], refresh_url)
        billing = self.data.get("billing_customer") or self.instance.billing_customer_id
        billing_id = parse_id(billing)
        self.fields["billing_site"].queryset = Site.objects.filter(customer_id=billing_id)
        self.fields["billing_contact"].queryset = Contact.objects.filter(customer_id=billing_id)
        for name, model in (
            ("payment_method", PaymentMethod),
            ("vat_rate", VatRate),
            ("delivery_term", DeliveryTerm),
            ("transport", Transport),
        ):
            self.fields[name].queryset = model.objects.filter(is_active=True)
        self.fields["vat_rate"].empty_label = _("(each part's own VAT rate)")


class DecisionForm(forms.Form):
    """The office records an answer received by phone or on signed paper."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("accept", _("Accepted")), ("decline", _("Declined"))]
    )
    channel = forms.ChoiceField(
        label=_("Received by"), choices=[("phone", _("Phone")), ("paper", _("Signed paper"))]
    )
    name = forms.CharField(label=_("Name of the person who decided"), max_length=150)
    reason = forms.CharField(
        label=_("Reason (when declined)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PublicDecisionForm(forms.Form):
    """The customer's answer through the link; a refusal asks why (checked by the service)."""

    name = forms.CharField(label=_("Your name"), max_length=150)
    reason = forms.CharField(
        label=_("If you decline: why?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("It helps us make a better offer."),
    )
