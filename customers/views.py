from django.conf import settings
from django.db.models import F, Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from customers.filters import ContactFilter, CustomerFilter, ProductFilter, SiteFilter, UnitFilter
from customers.forms import ContactForm, CustomerForm, ProductForm, SiteForm, UnitForm
from customers.list_rows import (
    CONTACT_ROW_FIELDS,
    CUSTOMER_ROW_FIELDS,
    UNIT_ROW_FIELDS,
    contact_rows,
    customer_rows,
    unit_lines,
    unit_rows,
)
from customers.models import Contact, Customer, Product, Site, Unit
from service_portal.crud import (
    PortalCreateView,
    PortalDetailView,
    PortalListView,
    PortalUpdateView,
)
from service_portal.forms import parse_id
from service_portal.i18n import described
from service_portal.permissions import role_required
from service_portal.pickers import LIMIT as PICKER_LIMIT
from service_portal.pickers import MIN_CHARACTERS, picker_results, search_text
from service_portal.roles import STAFF

# How many units the customer and site pages show before linking to the full, filtered list.
UNITS_ON_DETAIL = 50


# --- Customers ------------------------------------------------------------------------------
class CustomerList(PortalListView):
    model = Customer
    filterset_class = CustomerFilter
    template_name = "customers/customer_list.html"
    row_fields = CUSTOMER_ROW_FIELDS  # the page reads its columns as values (customers.list_rows)

    def make_rows(self, values):
        return customer_rows(values)


class CustomerDetail(PortalDetailView):
    model = Customer
    template_name = "customers/customer_detail.html"

    def get_queryset(self):
        # The billing customer's name, not the whole record: the page links to it.
        return Customer.objects.annotate(billing_customer_name=F("billing_customer__name"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        customer = self.object
        # One customer: its sites and contacts are read by plain queries (a prefetch runs the
        # same queries through more machinery), the contacts as the contact list's rows.
        context["sites"] = sites = list(Site.objects.filter(customer=customer).order_by("name"))
        context["contacts"] = contact_rows(
            Contact.objects.filter(customer=customer).order_by("name").values(*CONTACT_ROW_FIELDS)
        )
        # Filter on the site ids rather than joining on the customer: the planner then uses the
        # unit's site index instead of walking the whole serial-number index.
        units = Unit.objects.filter(site_id__in=[site.pk for site in sites])
        context["units"], context["unit_count"] = unit_lines(units, UNITS_ON_DETAIL, site=True)
        context["units_truncated"] = context["unit_count"] > UNITS_ON_DETAIL
        return context


class CustomerCreate(PortalCreateView):
    model = Customer
    form_class = CustomerForm
    page_title = _("New customer")

    def get_initial(self):
        return {"language": settings.LANGUAGE_CODE}

    def get_cancel_url(self):
        return reverse("customers:customer_list")


class CustomerUpdate(PortalUpdateView):
    model = Customer
    form_class = CustomerForm

    def get_page_title(self):
        return _("Edit %(name)s") % {"name": self.object}


class CustomerChildMixin:
    """Create views nested under a customer: /customers/<customer_pk>/<child>/new/."""

    @cached_property
    def customer(self) -> Customer:
        return get_object_or_404(Customer, pk=self.kwargs["customer_pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "customer": self.customer}

    def get_cancel_url(self):
        return self.customer.get_absolute_url()


class ChildUpdateMixin:
    """Edit views of records that belong to a customer (the form limits choices to it)."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "customer": self.object.customer}


# --- Sites ----------------------------------------------------------------------------------
class SiteList(PortalListView):
    model = Site
    filterset_class = SiteFilter
    template_name = "customers/site_list.html"
    queryset = Site.objects.select_related("customer")


class SiteDetail(PortalDetailView):
    model = Site
    template_name = "customers/site_detail.html"

    def get_queryset(self):
        return Site.objects.select_related("customer").prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.order_by("name"))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        units = Unit.objects.filter(site=self.object)
        context["units"], context["unit_count"] = unit_lines(units, UNITS_ON_DETAIL, site=False)
        context["units_truncated"] = context["unit_count"] > UNITS_ON_DETAIL
        return context


class SiteCreate(CustomerChildMixin, PortalCreateView):
    model = Site
    form_class = SiteForm

    def get_page_title(self):
        return _("New site for %(customer)s") % {"customer": self.customer}


class SiteUpdate(ChildUpdateMixin, PortalUpdateView):
    model = Site
    form_class = SiteForm
    queryset = Site.objects.select_related("customer")

    def get_page_title(self):
        return _("Edit site %(name)s") % {"name": self.object}


# --- Contacts -------------------------------------------------------------------------------
class ContactList(PortalListView):
    model = Contact
    filterset_class = ContactFilter
    template_name = "customers/contact_list.html"
    queryset = Contact.objects.all()  # the page reads its columns as values (customers.list_rows)
    row_fields = CONTACT_ROW_FIELDS

    def make_rows(self, values):
        return contact_rows(values)


class ContactDetail(PortalDetailView):
    model = Contact
    template_name = "customers/contact_detail.html"
    queryset = Contact.objects.select_related("customer", "site")


class ContactCreate(CustomerChildMixin, PortalCreateView):
    model = Contact
    form_class = ContactForm

    def get_page_title(self):
        return _("New contact at %(customer)s") % {"customer": self.customer}

    def get_initial(self):
        site = self.request.GET.get("site")
        return {"site": site} if parse_id(site) else {}


class ContactUpdate(ChildUpdateMixin, PortalUpdateView):
    model = Contact
    form_class = ContactForm
    queryset = Contact.objects.select_related("customer", "site")

    def get_page_title(self):
        return _("Edit contact %(name)s") % {"name": self.object.name}


# --- Products -------------------------------------------------------------------------------
class ProductList(PortalListView):
    model = Product
    filterset_class = ProductFilter
    template_name = "customers/product_list.html"


class ProductDetail(PortalDetailView):
    model = Product
    template_name = "customers/product_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["unit_count"] = self.object.units.count()
        context["descriptions"] = described(self.object)
        return context


class ProductCreate(PortalCreateView):
    model = Product
    form_class = ProductForm
    page_title = _("New product")

    def get_cancel_url(self):
        return reverse("customers:product_list")


class ProductUpdate(PortalUpdateView):
    model = Product
    form_class = ProductForm

    def get_page_title(self):
        return _("Edit product %(code)s") % {"code": self.object.code}


# --- Units ----------------------------------------------------------------------------------
class UnitList(PortalListView):
    model = Unit
    filterset_class = UnitFilter
    template_name = "customers/unit_list.html"
    queryset = Unit.objects.all()  # the page reads its columns as values (customers.list_rows)
    row_fields = UNIT_ROW_FIELDS

    def make_rows(self, values):
        return unit_rows(values)


class UnitDetail(PortalDetailView):
    model = Unit
    template_name = "customers/unit_detail.html"
    # The customer's name, not its whole record: the page links to it.
    queryset = Unit.objects.select_related("product", "site").annotate(
        customer_name=F("site__customer__name")
    )


class UnitCreate(CustomerChildMixin, PortalCreateView):
    model = Unit
    form_class = UnitForm

    def get_page_title(self):
        return _("New unit for %(customer)s") % {"customer": self.customer}

    def get_initial(self):
        site = self.request.GET.get("site")
        return {"site": site} if parse_id(site) else {}


class UnitUpdate(ChildUpdateMixin, PortalUpdateView):
    model = Unit
    form_class = UnitForm
    queryset = Unit.objects.with_relations()

    def get_page_title(self):
        return _("Edit unit %(serial)s") % {"serial": self.object.serial_number}


# --- Pickers (service_portal/pickers.py) -----------------------------------------------------
@role_required(*STAFF)
@require_GET
def customer_picker(request):
    """Active customers by name (accents and capitals do not matter), VAT number or fiscal code,
    for the picker of a customer field."""
    q = search_text(request)
    rows = []
    if len(q) >= MIN_CHARACTERS:
        found = (
            Customer.objects.filter(is_active=True)
            .matching(q)
            .order_by("name", "pk")
            .only("pk", "name", "city", "vat_number")[:PICKER_LIMIT]
        )
        rows = [(c.pk, c.name, " · ".join(p for p in (c.city, c.vat_number) if p)) for c in found]
    return picker_results(request, q, rows)
