"""Final verification corrections and invoices.

A ``Correction`` is the administrator's adjustment of one line of an intervention at
verification (change, add or remove a line, with a reason): the technician's records (time
entries, expenses, parts) stay as they were, the billing builder (``invoicing.billing``) applies
the corrections in order.

An ``Invoice`` starts as a draft that only points at its calls; issuing it (``services.issue``)
numbers it and freezes a copy of the customer data, the lines and the totals. An issued invoice
is never edited nor deleted (the services refuse, the admin is read-only and ``save``/``delete``
guard the row); a mistake is corrected by a credit note that references it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from calls.models import Call, Intervention
from customers.countries import COUNTRIES
from customers.fiscal import VatRegime
from customers.models import Customer
from service_portal.history import StatusChange
from service_portal.models import PaymentMethod


class LineKind(models.TextChoices):
    """The groups of billable lines, in the order they are printed."""

    LABOUR = "labour", _("Labour")
    TRAVEL = "travel", _("Travel")
    KM = "km", _("Kilometres")
    CALL_OUT = "call_out", _("Call-out fee")
    FIXED_PRICE = "fixed_price", _("Fixed price")
    OTHER = "other", _("Other")
    PARTS = "parts", _("Spare parts")
    EXPENSES = "expenses", _("Expenses")
    CONTRACT_FEE = "contract_fee", _("Contract fee")


class CorrectionAction(models.TextChoices):
    CHANGE = "change", pgettext_lazy("correction", "Change")
    ADD = "add", pgettext_lazy("correction", "Add")
    REMOVE = "remove", pgettext_lazy("correction", "Remove")


class Correction(models.Model):
    """An administrator's correction of one line at final verification (append-only).

    ``line`` is the key of the bill's line (``billing.Line.key``: ``labour:overtime``,
    ``quote:<pk>``, ``expense:<pk>``...). A change sets the given quantity, unit price (before
    discount) and/or discount; a removal drops the line; an addition (no ``line``) adds one.
    Corrections are applied in order, so the latest wins; the technician's records never change.
    """

    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.PROTECT,
        related_name="billing_corrections",
        verbose_name=_("intervention"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LineKind.choices)
    action = models.CharField(
        _("action"),
        max_length=10,
        choices=CorrectionAction.choices,
        default=CorrectionAction.CHANGE,
    )
    line = models.CharField(_("line"), max_length=40, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity = models.DecimalField(
        _("new quantity"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    unit_price = models.DecimalField(
        _("new unit price"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    discount = models.DecimalField(
        _("new discount (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    reason = models.TextField(_("reason"), max_length=1000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=LineKind.values), name="correction_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(action__in=CorrectionAction.values),
                name="correction_action_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(action=CorrectionAction.REMOVE)
                | models.Q(quantity__isnull=False)
                | models.Q(unit_price__isnull=False)
                | models.Q(discount__isnull=False),
                name="correction_has_value",
            ),
            models.CheckConstraint(
                condition=models.Q(action=CorrectionAction.ADD) | ~models.Q(line=""),
                name="correction_names_its_line",
            ),
            models.CheckConstraint(
                condition=(models.Q(quantity__isnull=True) | models.Q(quantity__gte=0))
                & (models.Q(unit_price__isnull=True) | models.Q(unit_price__gte=0))
                & (models.Q(discount__isnull=True) | models.Q(discount__gte=0, discount__lte=100)),
                name="correction_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.intervention_id} {self.kind}"


class VerifiedFigures(models.Model):
    """What final verification approved: the billable figures of each line (issue 17).

    Written by ``services.verify`` under the intervention's lock, removed when the intervention
    is reopened (verified -> done). ``services.issue`` recomputes the bill and refuses when it
    no longer equals these figures, so an invoice bills exactly what was verified.
    """

    intervention = models.OneToOneField(
        Intervention,
        on_delete=models.CASCADE,
        related_name="verified_figures",
        verbose_name=_("intervention"),
    )
    # [[kind, quantity, unit price, amount, VAT rate], ...] as decimal strings, in bill order.
    lines = models.JSONField(_("lines"), default=list)
    taxable = models.DecimalField(_("taxable"), max_digits=12, decimal_places=2)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("verified figures")
        verbose_name_plural = _("verified figures")

    def __str__(self) -> str:
        return str(self.intervention_id)


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class InvoiceState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


class IssuedInvoiceError(Exception):
    """Raised by the model guards when code tries to change or delete an issued invoice."""


class Invoice(models.Model):
    """An invoice or credit note; a draft until issued, then a frozen copy."""

    kind = models.CharField(
        _("kind"), max_length=20, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE
    )
    state = models.CharField(
        _("state"), max_length=10, choices=InvoiceState.choices, default=InvoiceState.DRAFT
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("customer")
    )
    calls = models.ManyToManyField(
        Call, related_name="invoices", verbose_name=_("calls"), blank=True
    )
    # The verified interventions the draft bills, fixed when the draft is made.
    interventions = models.ManyToManyField(
        Intervention, related_name="invoices", verbose_name=_("interventions"), blank=True
    )
    credited = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="credit_notes",
        verbose_name=_("credit note of"),
        null=True,
        blank=True,
    )
    reason = models.TextField(_("reason"), blank=True, max_length=1000)
    # Numbering: set when issued.
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    code = models.CharField(_("number"), max_length=20, null=True, blank=True, unique=True)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    # Frozen copy of the customer at issue time.
    customer_name = models.CharField(_("company name"), max_length=200, blank=True)
    customer_vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    customer_fiscal_code = models.CharField(_("fiscal code"), max_length=20, blank=True)
    customer_address = models.TextField(_("address"), blank=True, max_length=1000)
    customer_email = models.EmailField(_("e-mail"), blank=True)
    # The country is printed by name in the document's language (the address has no country).
    customer_country = models.CharField(_("country"), max_length=2, choices=COUNTRIES, blank=True)
    customer_vat_regime = models.CharField(
        _("VAT regime"), max_length=12, choices=VatRegime.choices, blank=True
    )
    customer_sdi_code = models.CharField(_("SDI recipient code"), max_length=7, blank=True)
    customer_pec = models.EmailField(_("PEC"), blank=True)
    customer_is_public_administration = models.BooleanField(
        _("public administration"), default=False
    )
    # The seller (the company profile) as it was on the day of issue, with the bank details and
    # the payment terms in the customer's language (invoicing.services._freeze_seller).
    seller = models.JSONField(_("seller"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    taxable = models.DecimalField(_("taxable amount"), max_digits=12, decimal_places=2, default=0)
    vat = models.DecimalField(_("VAT"), max_digits=12, decimal_places=2, default=0)
    # Public administrations pay the VAT to the State (split payment, art. 17-ter DPR 633/72).
    split_payment = models.BooleanField(_("split payment"), default=False)
    # The virtual stamp duty ("bollo virtuale") charged when exempt amounts pass the threshold.
    stamp_duty = models.DecimalField(_("stamp duty"), max_digits=6, decimal_places=2, default=0)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2, default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("invoice", "created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by"),
        null=True,
        blank=True,
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issue_date", "-pk"]
        indexes = [
            models.Index(fields=["state", "-issue_date"], name="invoice_state_date_idx"),
            # The REST API's incremental sync: an issued invoice never changes again, so the
            # moment it was issued is its last change.
            models.Index(fields=["issued_at"], name="invoice_issued_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "number"], name="invoice_unique_number_per_year"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=InvoiceKind.values), name="invoice_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(state=InvoiceState.DRAFT)
                | (models.Q(number__isnull=False) & models.Q(code__isnull=False)),
                name="invoice_issued_has_number",
            ),
        ]

    def __str__(self) -> str:
        return self.code or str(_("Draft invoice"))

    def save(self, *args, **kwargs) -> None:
        # Last line of defence: the services never re-save an issued invoice; only the issuing
        # save (the row is still a draft in the database) may write the issued data.
        if self.pk:
            stored = Invoice.objects.filter(pk=self.pk).values_list("state", flat=True).first()
            if stored == InvoiceState.ISSUED:
                raise IssuedInvoiceError("An issued invoice cannot be changed.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("invoicing:invoice_detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        if Invoice.objects.filter(pk=self.pk, state=InvoiceState.ISSUED).exists():
            raise IssuedInvoiceError("An issued invoice cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_issued(self) -> bool:
        return self.state == InvoiceState.ISSUED

    @property
    def amount_due(self):
        """What the customer pays: the total, less the VAT under split payment (a public
        administration pays the VAT to the State, art. 17-ter DPR 633/72)."""
        return self.total - self.vat if self.split_payment else self.total


class InvoiceLine(models.Model):
    """A frozen line of an issued invoice, grouped by call and intervention."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="lines", verbose_name=_("invoice")
    )
    call_code = models.CharField(_("call code"), max_length=20, blank=True)
    intervention_code = models.CharField(_("intervention code"), max_length=30, blank=True)
    # What the intervention's lines are about (call, machine and serial number), for the customer.
    reference = models.CharField(_("reference"), max_length=250, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=LineKind.choices)
    description = models.CharField(_("description"), max_length=250)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT %"), max_digits=5, decimal_places=2)
    # A line at 0 % says why (FatturaPA "Natura", N1...N7) and prints the legal reference.
    vat_natura = models.CharField(_("VAT nature"), max_length=4, blank=True)
    vat_reference = models.CharField(_("VAT legal reference"), max_length=250, blank=True)
    note = models.CharField(_("note"), max_length=100, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    # On a credit note: the invoice line it credits (all or part of its amount). The credited
    # amounts of a line never exceed it (``invoicing.credits``).
    credited_line = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="credits",
        verbose_name=_("credited line"),
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.description


class InvoiceStateChange(StatusChange):
    """Append-only history of an invoice or credit note: issued (draft -> issued) and, on an
    invoice, credited (issued -> issued, the credit note's number and reason)."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="history", verbose_name=_("invoice")
    )
    from_state = models.CharField(
        _("from"), max_length=20, choices=InvoiceState.choices, blank=True
    )
    to_state = models.CharField(_("to"), max_length=20, choices=InvoiceState.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.from_state or '-'} -> {self.to_state}"


class InvoicePaymentTerms(models.Model):
    """The payment term an invoice was issued with (frozen at issue, ``invoicing.payments``).

    The invoice row itself is never written again after issue, so what is due lives here and in
    ``InvoiceDueDate``, and what was paid in ``Payment``: the payment state is derived.
    """

    invoice = models.OneToOneField(
        Invoice, on_delete=models.PROTECT, related_name="payment_terms", verbose_name=_("invoice")
    )
    name = models.CharField(_("payment term"), max_length=100, blank=True)
    method = models.CharField(
        _("payment method"), max_length=4, choices=PaymentMethod.choices, blank=True
    )
    # What the customer pays: the total, less the VAT a public administration pays the State.
    payable = models.DecimalField(_("amount payable"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("invoice payment terms")
        verbose_name_plural = _("invoice payment terms")

    def __str__(self) -> str:
        return self.name


class InvoiceDueDate(models.Model):
    """One instalment of an issued invoice: the date and the amount due (frozen at issue)."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="due_dates", verbose_name=_("invoice")
    )
    position = models.PositiveSmallIntegerField(_("instalment"), default=1)
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("due date")
        verbose_name_plural = _("due dates")
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "position"], name="invoice_due_date_unique_position"
            )
        ]
        indexes = [models.Index(fields=["due_date"], name="invoice_due_date_idx")]

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.due_date}"


class PaymentSource(models.TextChoices):
    PORTAL = "portal", _("Recorded on the portal")
    API = "api", _("Received from the ERP")


class Payment(models.Model):
    """Money received against an issued invoice (append-only: a wrong payment is not edited).

    Recorded by an administrator on the invoice's page or received from the ERP through the
    REST API, where ``external_code`` (the ERP's own id of the payment) makes a repeated
    request harmless.
    """

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="payments", verbose_name=_("invoice")
    )
    date = models.DateField(_("payment date"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    method = models.CharField(_("payment method"), max_length=4, choices=PaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=140, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=PaymentSource.choices, default=PaymentSource.PORTAL
    )
    external_code = models.CharField(
        _("external code"), max_length=50, null=True, blank=True, unique=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payment_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(method__in=PaymentMethod.values), name="payment_method_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.date} {self.amount}"


class ContractFee(models.Model):
    """The periodic fee of a service contract for one period, on its own draft invoice.

    Made by the scheduled job ``contract_fees`` (``invoicing.fees``) once per contract and
    period (the unique constraint), as a draft the administrator checks and issues like any
    other invoice (same series and numbering). The amount and the description are copied when
    the draft is made: a later change of the contract's fee applies to the next periods.
    """

    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.PROTECT,
        related_name="fees",
        verbose_name=_("service contract"),
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    description = models.CharField(_("description"), max_length=250)
    # A discarded draft leaves the row without invoice: that period is not billed again.
    invoice = models.OneToOneField(
        Invoice,
        on_delete=models.SET_NULL,
        related_name="contract_fee",
        verbose_name=_("invoice"),
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("contract fee")
        verbose_name_plural = _("contract fees")
        ordering = ["contract", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "period_start"], name="contract_fee_once_per_period"
            ),
        ]

    def __str__(self) -> str:
        return self.description


class CallToInvoice(models.Model):
    """A call waiting to be invoiced, with its verified figures summed (invoicing.waiting): one
    row per call of ``selectors.billable_calls``, nothing else. The batch preview sums these rows
    for the payers of its page instead of the verified interventions of the whole database.

    Kept by database triggers (``invoicing.waiting``) in the transaction of every change that
    can alter it: an intervention's state or time of verification, its verified figures, a
    call put on or taken off a draft, a draft issued, a call's customer; ``last_verified_at``
    is the latest verification of its verified interventions (the batch "up to day D" takes the
    calls whose latest verification falls before the end of D). Never written by the code.
    """

    call = models.OneToOneField(
        Call,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="to_invoice",
        verbose_name=_("call"),
    )
    # Indexed by call_to_invoice_idx, which starts with it.
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("customer"),
        db_index=False,
    )
    last_verified_at = models.DateTimeField(_("last verified at"), null=True)
    interventions = models.IntegerField(_("interventions"), default=0)
    taxable = models.DecimalField(_("taxable"), max_digits=14, decimal_places=2, null=True)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2, null=True)
    without_figures = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("call to invoice")
        verbose_name_plural = _("calls to invoice")
        indexes = [
            models.Index(fields=["customer", "last_verified_at"], name="call_to_invoice_idx"),
        ]

    def __str__(self) -> str:
        return str(self.call_id)
