from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.fiscal import VatRegime
from customers.models import Contact, Customer, Product, Site, Unit
from service_portal.forms import DateInput, VersionedModelForm
from service_portal.i18n import label_description_fields, localized_fields
from service_portal.pickers import PickerSelect

_ADDRESS = ["address", "postal_code", "city", "province", "country"]


class CustomerForm(VersionedModelForm):
    class Meta:
        model = Customer
        fields = [
            "name",
            "vat_regime",
            "vat_number",
            "fiscal_code",
            *_ADDRESS,
            "sdi_code",
            "pec",
            "is_public_administration",
            "payment_term",
            "billing_customer",
            "email",
            "phone",
            "language",
            "notes",
            "is_active",
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "billing_customer": PickerSelect("customers:customer_picker"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left out (an older client, an import), the regime stays what it was: Italian for a new
        # customer.
        self.fields["vat_regime"].required = False
        # A term retired from use stays on the customers that have it, offered to no other.
        term = self.fields["payment_term"]
        current = self.instance.payment_term_id
        term.queryset = term.queryset.filter(Q(is_active=True) | Q(pk=current))

    def clean_vat_regime(self) -> str:
        return self.cleaned_data.get("vat_regime") or self.instance.vat_regime or VatRegime.ITALIAN


class SiteForm(VersionedModelForm):
    class Meta:
        model = Site
        fields = ["name", *_ADDRESS, "notes", "is_active"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.customer = customer
        if not self.instance.pk:
            self.initial.setdefault("country", customer.country)


class ContactForm(VersionedModelForm):
    class Meta:
        model = Contact
        fields = ["name", "role", "site", "phone", "mobile", "email", "is_active"]

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.customer = customer
        # Only the customer's own sites can be chosen.
        self.fields["site"].queryset = customer.sites.all()
        self.fields["site"].empty_label = _("(whole company)")


class ProductForm(VersionedModelForm):
    class Meta:
        model = Product
        fields = ["code", *localized_fields("description"), "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_description_fields(self)


class UnitForm(VersionedModelForm):
    class Meta:
        model = Unit
        fields = ["product", "serial_number", "site", "installation_date", "warranty_end", "notes"]
        widgets = {
            "installation_date": DateInput(),
            "warranty_end": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        sites = list(customer.sites.filter(is_active=True))
        self.fields["site"].queryset = customer.sites.filter(is_active=True)
        if len(sites) == 1 and not self.instance.pk:
            self.initial.setdefault("site", sites[0].pk)  # the usual case: one site, no choice
        self.fields["product"].queryset = Product.objects.filter(is_active=True)

    def clean_serial_number(self):
        return self.cleaned_data["serial_number"].strip().upper()
