"""Calls (chiamate) and the interventions that answer them.

A call is one request for assistance; it always has at least one intervention (created with it).
The intervention carries the lifecycle (``State``); the call's ``status`` is derived from its
interventions by ``calls.services`` and stored so the search can filter and index it.
All state changes go through ``calls.services.transition``; models only hold data and
database-level rules.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contracts.models import Contract, Priority
from customers.models import Contact, Customer, Product, Site, Unit
from orders.models import Offer, OrderLine, SparePart
from quotes.models import PriceList, Quote
from service_portal.choices import CachedChoiceLabels
from service_portal.history import StatusChange
from service_portal.links import reverse_ids
from service_portal.models import Audited, TimeStamped, Versioned


class State(models.TextChoices):
    """The states of an intervention; a call's status uses the same values."""

    NEW = "new", pgettext_lazy("intervention state", "New")
    EXPECTED = "expected", pgettext_lazy("intervention state", "Expected")
    QUOTED = "quoted", pgettext_lazy("intervention state", "Quoted")
    PLANNED = "planned", pgettext_lazy("intervention state", "Planned")
    DONE = "done", pgettext_lazy("intervention state", "Done")
    VERIFIED = "verified", pgettext_lazy("intervention state", "Verified")
    INVOICED = "invoiced", pgettext_lazy("intervention state", "Invoiced")
    RESOLVED_BY_PHONE = (
        "resolved_by_phone",
        pgettext_lazy("intervention state", "Resolved by phone"),
    )
    CANCELLED = "cancelled", pgettext_lazy("intervention state", "Cancelled")


# An intervention in one of these states needs nobody's action any more.
CLOSED_STATES = frozenset({State.INVOICED, State.RESOLVED_BY_PHONE, State.CANCELLED})
# States in which the field work still lies ahead (the technician's to-do list).
OPEN_STATES = frozenset({State.NEW, State.EXPECTED, State.QUOTED, State.PLANNED})


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web")
    OTHER = "other", _("Other")


class NoteKind(models.TextChoices):
    REPORT = "report", _("Technician's report")
    INTERNAL = "internal", _("Internal note")
    FOLLOW_UP = "follow_up", _("Follow-up needed")


class InterventionType(models.Model):
    """Master data: repair, installation, preventive maintenance... (name is translatable)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_warranty = models.BooleanField(
        _("warranty work"),
        default=False,
        help_text=_("Work covered by the warranty: usually not quoted nor invoiced."),
    )
    # The third step of the pricing order (docs/invoicing.md): work of this type without a quote
    # or a customer list is billed at this list's rates.
    price_list = models.ForeignKey(
        PriceList,
        on_delete=models.PROTECT,
        related_name="intervention_types",
        verbose_name=_("price list"),
        null=True,
        blank=True,
        help_text=_("Prices work of this type that has no quote and no customer list."),
    )
    requires_quote_acceptance = models.BooleanField(
        _("quote accepted before planning"),
        default=False,
        help_text=_(
            "Interventions of this type are planned only after the customer accepted the quote."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("intervention type")
        verbose_name_plural = _("intervention types")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class Call(CachedChoiceLabels, Audited):
    """A request for assistance about a customer's unit (chiamata)."""

    created_by_label = pgettext_lazy("call", "created by")

    code = models.CharField(_("call code"), max_length=20, unique=True, editable=False)
    received_at = models.DateTimeField(_("received at"))
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="calls", verbose_name=_("customer")
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="calls", verbose_name=_("site")
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        related_name="calls",
        verbose_name=_("contact"),
        null=True,
        blank=True,
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="calls",
        verbose_name=_("unit"),
        null=True,
        blank=True,
    )
    description = models.TextField(_("problem description"), max_length=5000)
    # Why the call has no contact, when none was chosen ("walk-in, no name given"): intake asks
    # for one or the other, so the technician always knows whom to ask.
    no_contact_reason = models.CharField(_("why no contact"), max_length=200, blank=True)
    # What was found and how it was solved (a call resolved by phone must say how): the
    # solutions search reads these, so the next operator finds how a similar call was solved.
    cause = models.TextField(_("cause"), blank=True, max_length=2000)
    solution = models.TextField(_("solution"), blank=True, max_length=5000)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=State.choices, default=State.NEW, editable=False
    )
    # --- The service contract and the SLA clocks (calls.sla, docs/contracts.md) -------------
    # The contract covering the unit (or its site) when the call was received, found at intake.
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        related_name="calls",
        verbose_name=_("service contract"),
        null=True,
        blank=True,
        editable=False,
    )
    # Waiting for the customer (a part to be sent back, access to the plant): the clocks stop;
    # every pause is recorded (``CallPause``).
    waiting_for_customer = models.BooleanField(
        _("waiting for the customer"), default=False, editable=False
    )
    waiting_reason = models.CharField(
        _("why we are waiting"), max_length=200, blank=True, editable=False
    )
    responded_at = models.DateTimeField(_("first answer at"), null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)
    response_due = models.DateTimeField(_("response due"), null=True, blank=True, editable=False)
    resolution_due = models.DateTimeField(
        _("resolution due"), null=True, blank=True, editable=False
    )
    # The next deadline still running (response, then resolution) and the moment the operators
    # are warned before it: stored so the search filters and sorts by them from an index.
    # None: no contract target, paused, met or cancelled.
    sla_due = models.DateTimeField(_("next SLA deadline"), null=True, blank=True, editable=False)
    sla_warn_at = models.DateTimeField(_("SLA at risk from"), null=True, blank=True, editable=False)
    # Answered or resolved after its deadline (kept with the deadlines, ``sla.refresh``): the
    # "breached" filter reads it from a small index instead of comparing columns on every call.
    sla_late = models.BooleanField(_("SLA missed"), default=False, editable=False)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-received_at", "-pk"]
        indexes = [
            # The list's order; the columns the dashboard counts the calls of a period by are
            # carried along (INCLUDE, PostgreSQL only), so it reads them from the index alone.
            models.Index(
                fields=["-received_at", "-id"],
                name="call_received_idx",
                include=["status", "unit", "customer"],
            ),
            # prefix search on codes ("2026-0001"): LIKE 'x%' needs the pattern operator class
            # on PostgreSQL (ignored elsewhere)
            models.Index(
                fields=["code"], name="call_code_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["status", "-received_at"], name="call_status_idx"),
            models.Index(fields=["customer", "-received_at"], name="call_customer_idx"),
            models.Index(fields=["unit", "-received_at"], name="call_unit_idx"),
            # The search sorted by SLA and its "at risk"/"breached" filters: only the calls
            # whose clock runs.
            models.Index(
                fields=["sla_due", "id"],
                condition=models.Q(sla_due__isnull=False),
                name="call_sla_due_idx",
            ),
            # "Breached": the few calls answered or resolved late.
            models.Index(
                fields=["id"], condition=models.Q(sla_late=True), name="call_sla_late_idx"
            ),
            # The solutions search: the few calls with a recorded solution, newest first,
            # without reading the others.
            models.Index(
                fields=["-received_at", "-id"],
                condition=~models.Q(solution=""),
                name="call_solution_idx",
            ),
            # The dashboard's SLA compliance: the period's calls with an SLA clock, without
            # reading the others.
            models.Index(
                fields=["-received_at", "-id"],
                condition=models.Q(response_due__isnull=False),
                name="call_sla_received_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=State.values), name="call_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values), name="call_channel_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(priority__in=Priority.values), name="call_priority_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse_ids("calls:call_detail", self.pk)


class SlaClock(models.TextChoices):
    RESPONSE = "response", _("Response")
    RESOLUTION = "resolution", _("Resolution")


class CallPause(models.Model):
    """An interval in which the call's SLA clocks stood still (waiting for the customer)."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="pauses", verbose_name=_("call")
    )
    reason = models.CharField(_("why we are waiting"), max_length=200)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("paused by"),
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("resumed by"),
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("SLA pause")
        verbose_name_plural = _("SLA pauses")
        ordering = ["call", "started_at"]
        constraints = [
            # One open pause per call at a time.
            models.UniqueConstraint(
                fields=["call"], condition=models.Q(ended_at__isnull=True), name="call_pause_open"
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("started_at")),
                name="call_pause_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.reason


class SlaWarning(models.Model):
    """The e-mail that warned the operators before a clock's deadline: sent once per call and
    clock (the unique constraint, whatever runs the job twice)."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="sla_warnings", verbose_name=_("call")
    )
    clock = models.CharField(_("clock"), max_length=10, choices=SlaClock.choices)
    due = models.DateTimeField(_("deadline"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("SLA warning")
        verbose_name_plural = _("SLA warnings")
        constraints = [
            models.UniqueConstraint(fields=["call", "clock"], name="sla_warning_once"),
        ]

    def __str__(self) -> str:
        return f"{self.call_id} {self.clock}"


class Intervention(CachedChoiceLabels, TimeStamped, Versioned):
    """The work that answers a call (intervento); carries the lifecycle state."""

    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="interventions", verbose_name=_("call")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    code = models.CharField(_("intervention code"), max_length=30, unique=True, editable=False)
    type = models.ForeignKey(
        InterventionType,
        on_delete=models.PROTECT,
        related_name="interventions",
        verbose_name=_("intervention type"),
        null=True,
        blank=True,
    )
    requested_date = models.DateField(_("requested date"), null=True, blank=True)
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="interventions",
        verbose_name=_("technician"),
        null=True,
        blank=True,
    )
    expected_hours = models.DecimalField(
        _("expected duration (hours)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    what_to_bring = models.TextField(_("what to bring"), blank=True, max_length=2000)
    quote = models.OneToOneField(
        Quote,
        on_delete=models.PROTECT,
        related_name="intervention",
        verbose_name=_("quote"),
        null=True,
        blank=True,
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.NEW, editable=False
    )
    state_changed_at = models.DateTimeField(_("state changed at"), null=True, blank=True)
    # The customer's signature captured on the technician's device when the work is done
    # (a PNG under MEDIA_ROOT, never served directly: it only appears in the report PDF).
    signature = models.FileField(_("signature"), upload_to="signatures/%Y/%m/", blank=True)
    signed_by = models.CharField(_("signed by"), max_length=100, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    # The checklist version the intervention got when it was created or planned (issue 21):
    # editing the template later makes a new version and leaves this one as it was.
    checklist = models.ForeignKey(
        "ChecklistTemplate",
        on_delete=models.PROTECT,
        related_name="interventions",
        verbose_name=_("checklist"),
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        ordering = ["call", "number"]
        indexes = [
            models.Index(fields=["state"], name="intervention_state_idx"),
            models.Index(
                fields=["code"],
                name="intervention_code_prefix_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["technician", "state"], name="intervention_tech_state_idx"),
            models.Index(fields=["type"], name="intervention_type_idx"),
            models.Index(fields=["requested_date"], name="intervention_requested_idx"),
            # The planner's "to plan" list: the few waiting interventions, oldest request first,
            # without scanning the closed ones.
            models.Index(
                fields=["requested_date", "id"],
                condition=models.Q(state__in=["expected", "quoted"]),
                name="intervention_to_plan_idx",
            ),
            # Calls to invoice: the calls with a verified intervention, without reading the
            # million others (invoicing.selectors.billable_calls).
            models.Index(
                fields=["call"],
                condition=models.Q(state="verified"),
                name="intervention_verified_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["call", "number"], name="intervention_unique_number"),
            models.CheckConstraint(
                condition=models.Q(state__in=State.values), name="intervention_state_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="intervention_number_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(expected_hours__isnull=True) | models.Q(expected_hours__gt=0),
                name="intervention_expected_hours_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse_ids("calls:manage", self.call_id, self.number)


class InterventionTransition(StatusChange):
    """Append-only history of every state change (who, when, from, to, why)."""

    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.PROTECT,
        related_name="transitions",
        verbose_name=_("intervention"),
    )
    from_state = models.CharField(_("from"), max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=State.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_state__in=State.values), name="transition_to_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(from_state__in=[*State.values, ""]),
                name="transition_from_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.intervention_id}: {self.from_state or '-'} -> {self.to_state}"


class InterventionNote(models.Model):
    """A note on an intervention: technician's report, internal note or follow-up needed.

    Notes are appended, never edited: each keeps its author and time.
    """

    intervention = models.ForeignKey(
        Intervention, on_delete=models.PROTECT, related_name="notes", verbose_name=_("intervention")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoteKind.choices)
    text = models.TextField(_("text"), max_length=5000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("intervention note")
        verbose_name_plural = _("intervention notes")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=NoteKind.values), name="note_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.author})"


# --- Actuals: travel expenses and spare parts used (sections 4 and 5) -------------------------
class ExpenseKind(models.TextChoices):
    KM = "km", _("Kilometres")
    MEAL = "meal", _("Meals")
    LODGING = "lodging", _("Lodging")
    TOLL = "toll", _("Tolls")
    PARKING = "parking", _("Parking")
    OTHER = "other", _("Other expense")


RECEIPT_EXTENSIONS = {".pdf", ".jpg", ".png"}


def receipt_path(instance: Any, filename: str) -> str:
    """Receipts are stored under a random name: the uploader's name and extension (.html,
    .svg...) are never kept. ``calls.services.actuals`` names the upload after its detected
    type, and only the extensions of the accepted types survive here."""
    extension = os.path.splitext(filename)[1].lower()
    if extension not in RECEIPT_EXTENSIONS:
        extension = ""
    return f"receipts/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class Expense(Audited):
    """A travel expense of an intervention (spesa di trasferta), with an optional receipt.

    For kilometres ``amount`` is ``km × km_rate`` rounded to the cent, computed by the service
    that records it; for the other kinds the amount is what was paid.
    """

    created_by_label = _("recorded by")

    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.PROTECT,
        related_name="expenses",
        verbose_name=_("intervention"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ExpenseKind.choices)
    date = models.DateField(_("date"))
    km = models.DecimalField(_("kilometres"), max_digits=8, decimal_places=1, null=True, blank=True)
    km_rate = models.DecimalField(
        _("rate per km"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Stored under MEDIA_ROOT (outside the web root); served only by a view that checks access.
    receipt = models.FileField(_("receipt"), upload_to=receipt_path, blank=True)

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ExpenseKind.values), name="expense_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0) & models.Q(amount__lte=100000),
                name="expense_amount_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=ExpenseKind.KM)
                | (models.Q(km__gt=0) & models.Q(km_rate__gte=0)),
                name="expense_km_needs_distance_and_rate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class PartUsed(Audited):
    """A spare part used on an intervention, with its catalogue data frozen at the time.

    ``under_warranty`` parts are charged at zero (the price stays, for the record).
    """

    created_by_label = _("recorded by")

    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.PROTECT,
        related_name="parts_used",
        verbose_name=_("intervention"),
    )
    spare_part = models.ForeignKey(
        SparePart, on_delete=models.PROTECT, related_name="+", verbose_name=_("spare part")
    )
    code = models.CharField(_("code"), max_length=50)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT %"), max_digits=5, decimal_places=2)
    serial_or_lot = models.CharField(_("serial or lot"), max_length=60, blank=True)
    under_warranty = models.BooleanField(_("under warranty"), default=False)
    # The discount the customer was given on this part (an offer of the same call).
    discount_percent = models.DecimalField(
        _("discount %"), max_digits=5, decimal_places=2, default=0
    )
    # A part the customer already bought through an accepted offer of the same call: taken from
    # that order's line, never billed again (the invoice names the order).
    order_line = models.ForeignKey(
        OrderLine,
        on_delete=models.PROTECT,
        related_name="parts_used",
        verbose_name=_("from order line"),
        null=True,
        blank=True,
    )
    order_code = models.CharField(_("covered by order"), max_length=30, blank=True)
    # The consumption that took it out of a van or warehouse (none when the part came from an
    # order of the call, or no warehouse was known); removing the part records its return.
    stock_move = models.ForeignKey(
        "stock.StockMove",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("stock move"),
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("part used")
        verbose_name_plural = _("parts used")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0) & models.Q(quantity__lte=10000),
                name="part_used_quantity_range",
            ),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="part_used_price"),
            models.CheckConstraint(
                condition=models.Q(discount_percent__gte=0, discount_percent__lte=100),
                name="part_used_discount_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.code}"


class InterventionOffer(models.Model):
    """A spare-part offer created from a call's management page: the offer (its first
    revision; later revisions share its code) belongs to this call and intervention. The offer
    and its order link back through ``Offer.call_link``; the parts section offers its order's
    lines."""

    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.PROTECT,
        related_name="offer_links",
        verbose_name=_("intervention"),
    )
    offer = models.OneToOneField(
        Offer, on_delete=models.PROTECT, related_name="call_link", verbose_name=_("offer")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("offer of a call")
        verbose_name_plural = _("offers of calls")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.intervention_id}: {self.offer_id}"


class CallDaySummary(models.Model):
    """How many calls were received on a day, per status and customer (calls.summaries).

    The dashboard's call counts read these rows instead of counting the calls. A call counts
    once in the row without type and technician (``by_type`` and ``by_technician`` false), once
    per distinct type of its interventions (``by_type``), per distinct technician
    (``by_technician``) and per distinct pair (both): a filter on a type, a technician or both
    reads the matching rows and counts each call once, as "a call matches when one of its
    interventions does". Kept by calls.summaries in the transaction that changes a call.
    """

    day = models.DateField(_("day"))
    status = models.CharField(_("status"), max_length=20, choices=State.choices)
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    by_type = models.BooleanField(default=False)
    type = models.ForeignKey(
        InterventionType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    by_technician = models.BooleanField(default=False)
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The product of the call's unit (empty: a call without a unit), for the top products.
    product = models.ForeignKey(
        "customers.Product", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily call summary")
        verbose_name_plural = _("daily call summaries")
        indexes = [
            models.Index(fields=["by_type", "by_technician", "day"], name="callday_period_idx"),
            models.Index(fields=["customer", "day"], name="callday_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.status} {self.customer_id}: {self.calls}"


class CallDayTotal(models.Model):
    """The daily call summaries of all customers together (calls.summaries): per day the call
    was received and status, the number of calls, and the same per type, per technician and per
    type and technician of their interventions. ``type_key`` / ``technician_key`` hold the id,
    0 meaning "any" (a call counts once in the row with both 0). A dashboard without a customer
    filter reads a handful of these rows per day instead of a row per customer. Kept by
    calls.summaries with additions (``calls = calls + n``) in the transaction that changes a
    call; plain integers, not foreign keys, so that "any" can be part of the unique key.
    """

    day = models.DateField(_("day"))
    status = models.CharField(_("status"), max_length=20, choices=State.choices)
    type_key = models.PositiveIntegerField(default=0)
    technician_key = models.PositiveIntegerField(default=0)
    calls = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("daily call total")
        verbose_name_plural = _("daily call totals")
        constraints = [
            models.UniqueConstraint(
                fields=["type_key", "technician_key", "day", "status"], name="calldaytotal_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.status}: {self.calls}"


class CallDayProduct(models.Model):
    """The daily call summaries of all customers together per product of the call's unit
    (calls.summaries): per day the call was received and product, the number of calls, whatever
    their status; and the same per type, per technician and per type and technician of their
    interventions (``type_key`` / ``technician_key``, 0 meaning "any", as in ``CallDayTotal``;
    the product is always one, so it is a foreign key).
    The dashboard's top products read a few rows a day instead of every call of the period.
    Kept with additions in the transaction that changes a call.
    """

    day = models.DateField(_("day"))
    product = models.ForeignKey("customers.Product", on_delete=models.CASCADE, related_name="+")
    type_key = models.PositiveIntegerField(default=0)
    technician_key = models.PositiveIntegerField(default=0)
    calls = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("daily call total per product")
        verbose_name_plural = _("daily call totals per product")
        constraints = [
            models.UniqueConstraint(
                fields=["type_key", "technician_key", "day", "product"],
                name="calldayproduct_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.product_id}: {self.calls}"


class CallDayStamp(models.Model):
    """A random number per day calls were received on, replaced in every transaction that
    changes a call of that day (``calls.summaries.refresh``, with the summary rows) or its
    unit's serial number, and by the rebuild. The dashboard keys the figures it keeps in the
    cache by the stamps of the period's days (``dashboard.statistics.top_units``): a change
    committed to a call of the period gives another key, so a cached figure is never read after
    its calls changed. Random rather than a counter: a database restored from a backup goes
    back to older stamps but never to the keys cached after the backup was taken.
    """

    day = models.DateField(_("day"), unique=True)
    stamp = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("daily call stamp")
        verbose_name_plural = _("daily call stamps")

    def __str__(self) -> str:
        return f"{self.day}: {self.stamp}"


class OpenCallCount(models.Model):
    """How many calls are open now, per status (not closed), and per customer, type and
    technician of their interventions, 0 meaning "any" (calls.summaries). The dashboard's open
    calls read at most six of these rows whatever the filters; kept by calls.summaries with
    additions (``calls = calls + n``) in the transaction that changes a call.
    """

    status = models.CharField(_("status"), max_length=20, choices=State.choices)
    customer_key = models.PositiveIntegerField(default=0)
    type_key = models.PositiveIntegerField(default=0)
    technician_key = models.PositiveIntegerField(default=0)
    calls = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("open call count")
        verbose_name_plural = _("open call counts")
        constraints = [
            models.UniqueConstraint(
                fields=["customer_key", "type_key", "technician_key", "status"],
                name="opencallcount_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.status} {self.customer_key}/{self.type_key}/{self.technician_key}"


class SignedReport(models.Model):
    """One customer signature of an intervention and the report PDF made from it (issue 20).

    Completing an intervention adds one; the PDF is rendered once (the first time it is asked
    for, or when it is superseded) and stored with its SHA-256, so every download is the same
    document. Sending the intervention back supersedes it (who, when, why): it stays in the
    history with its PDF, and the technician's next completion adds the next one.
    """

    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.PROTECT,
        related_name="signed_reports",
        verbose_name=_("intervention"),
    )
    number = models.PositiveSmallIntegerField(_("version"))
    signature = models.FileField(_("signature"), upload_to="signatures/%Y/%m/")
    signed_by = models.CharField(_("signed by"), max_length=100)
    signed_at = models.DateTimeField(_("signed at"))
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("completed by"),
        null=True,
        blank=True,
    )
    pdf = models.FileField(_("report PDF"), upload_to="reports/%Y/%m/", blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    # Printed on the PDF: the fingerprint of what was signed (rows, notes, signature).
    content_sha256 = models.CharField(_("SHA-256 of the content"), max_length=64, blank=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("superseded by"),
        null=True,
        blank=True,
    )
    superseded_reason = models.TextField(_("reason"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("signed report")
        verbose_name_plural = _("signed reports")
        ordering = ["intervention", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "number"], name="signed_report_unique_number"
            ),
            # At most one signature in force per intervention.
            models.UniqueConstraint(
                fields=["intervention"],
                condition=models.Q(superseded_at__isnull=True),
                name="signed_report_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.intervention_id} v{self.number}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


# --- Photos and attachments (issue 21) --------------------------------------------------------
class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("Document")


class ReportTag(models.TextChoices):
    NONE = "", _("Not in the report")
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")


ATTACHMENT_EXTENSIONS = {".jpg", ".pdf"}


def attachment_path(instance: Any, filename: str) -> str:
    """Like receipts: a random name, only the extension of the detected type kept (photos are
    always re-encoded as JPEG, documents are PDFs)."""
    extension = os.path.splitext(filename)[1].lower()
    if extension not in ATTACHMENT_EXTENSIONS:
        extension = ""
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class Attachment(models.Model):
    """A photo the technician took (re-encoded JPEG with a thumbnail and a print copy, metadata
    stripped) or a document the office attached (a PDF, or a picture) to an intervention.

    Stored under MEDIA_ROOT and served only by ``calls.views.media`` to those who may see the
    intervention. Photos tagged "before" or "after" are printed in the report PDF.
    """

    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("intervention"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path)
    thumbnail = models.FileField(_("thumbnail"), upload_to=attachment_path, blank=True)
    # A photo as the report PDF prints it: at most ``REPORT_PHOTO_PRINT_SIDE`` pixels a side
    # (300 dpi at the report's 85 mm), made at upload or, for older photos, on their first
    # report; never served on its own (issue 21).
    print_file = models.FileField(_("print copy"), upload_to=attachment_path, blank=True)
    content_type = models.CharField(_("file type"), max_length=40)
    title = models.CharField(_("title"), max_length=200, blank=True)
    report_tag = models.CharField(
        _("in the report"), max_length=10, choices=ReportTag.choices, blank=True, default=""
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["intervention", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=AttachmentKind.values), name="attachment_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(report_tag__in=ReportTag.values),
                name="attachment_report_tag_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.pk}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


# --- Checklists (worksheets) per intervention type (issue 21) ----------------------------------
class ChecklistItemKind(models.TextChoices):
    YES_NO = "yes_no", _("Yes / no")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Text")
    CHOICE = "choice", _("Choice")
    PHOTO = "photo", _("Photo")


class ChecklistTemplate(models.Model):
    """One version of the checklist of an intervention type (scheda di lavoro).

    Versions are never edited once an intervention got them: ``calls.services.checklists``
    makes the next version instead and marks it current. Name and labels are translatable.
    """

    intervention_type = models.ForeignKey(
        InterventionType,
        on_delete=models.PROTECT,
        related_name="checklist_templates",
        verbose_name=_("intervention type"),
    )
    name = models.CharField(_("name"), max_length=120)
    number = models.PositiveSmallIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["intervention_type", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["intervention_type", "number"], name="checklist_unique_version"
            ),
            models.UniqueConstraint(
                fields=["intervention_type"],
                condition=models.Q(is_current=True),
                name="checklist_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"


class ChecklistItem(models.Model):
    """One question of a checklist version."""

    template = models.ForeignKey(
        ChecklistTemplate,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("checklist template"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("label"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=ChecklistItemKind.choices)
    required = models.BooleanField(_("required"), default=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    min_value = models.DecimalField(
        _("minimum"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    options = models.TextField(
        _("options"), blank=True, max_length=2000, help_text=_("For a choice: one option a line.")
    )

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ChecklistItemKind.values),
                name="checklist_item_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(min_value__isnull=True)
                | models.Q(max_value__isnull=True)
                | models.Q(min_value__lte=models.F("max_value")),
                name="checklist_item_range_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def choices(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]


class ChecklistAnswer(models.Model):
    """The technician's answer to one item on one intervention; frozen with the signature."""

    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.PROTECT,
        related_name="checklist_answers",
        verbose_name=_("intervention"),
    )
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.PROTECT, related_name="answers", verbose_name=_("item")
    )
    value = models.TextField(_("answer"), blank=True, max_length=2000)
    photo = models.ForeignKey(
        Attachment,
        on_delete=models.PROTECT,
        related_name="checklist_answers",
        verbose_name=_("photo"),
        null=True,
        blank=True,
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), auto_now=True)

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "item"], name="checklist_answer_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.value}"


# --- Preventive maintenance (issue 22, item 3; docs/contracts.md) -----------------------------
class IntervalUnit(models.TextChoices):
    DAYS = "days", _("days")
    MONTHS = "months", _("months")
    HOURS = "hours", _("running hours")


class MaintenancePlan(models.Model):
    """The preventive maintenance of one unit, or of every unit of a product.

    A unit's own plan adds its tasks to its product's; a task of the unit's plan replaces the
    product's task of the same intervention type for that unit (``calls.maintenance``).
    """

    name = models.CharField(_("name"), max_length=120)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        related_name="maintenance_plans",
        verbose_name=_("unit"),
        null=True,
        blank=True,
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        related_name="maintenance_plans",
        verbose_name=_("product"),
        null=True,
        blank=True,
    )
    starts_on = models.DateField(_("starts on"), default=timezone.localdate)
    lead_days = models.PositiveSmallIntegerField(
        _("lead time (days)"),
        default=14,
        help_text=_("The call and the intervention are made this many days before the due date."),
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="maintenance_plans",
        verbose_name=_("preferred technician"),
        null=True,
        blank=True,
    )
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("maintenance plan")
        verbose_name_plural = _("maintenance plans")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=True, product__isnull=False)
                | models.Q(unit__isnull=False, product__isnull=True),
                name="maintenance_plan_unit_or_product",
                violation_error_message=_("A plan is for one unit or for one product."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MaintenanceTask(models.Model):
    """Work due every N days, months or running hours (counter readings)."""

    plan = models.ForeignKey(
        MaintenancePlan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("plan")
    )
    description = models.CharField(_("description"), max_length=200)
    intervention_type = models.ForeignKey(
        InterventionType,
        on_delete=models.PROTECT,
        related_name="maintenance_tasks",
        verbose_name=_("intervention type"),
    )
    checklist = models.ForeignKey(
        ChecklistTemplate,
        on_delete=models.SET_NULL,
        related_name="maintenance_tasks",
        verbose_name=_("checklist template"),
        null=True,
        blank=True,
        help_text=_("The current version of this checklist is given to each intervention."),
    )
    every = models.PositiveIntegerField(_("every"))
    interval_unit = models.CharField(
        _("interval unit"), max_length=10, choices=IntervalUnit.choices, default=IntervalUnit.MONTHS
    )
    expected_hours = models.DecimalField(
        _("expected hours"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("maintenance task")
        verbose_name_plural = _("maintenance tasks")
        ordering = ["plan", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(every__gte=1), name="maintenance_task_every_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.description

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if (
            self.checklist_id
            and self.intervention_type_id
            and self.checklist.intervention_type_id != self.intervention_type_id
        ):
            raise ValidationError(
                {"checklist": _("Choose a checklist of the task's intervention type.")}
            )

    @property
    def by_hours(self) -> bool:
        return self.interval_unit == IntervalUnit.HOURS


class MaintenancePart(models.Model):
    """A spare part a task usually needs (listed in the intervention's "what to bring")."""

    task = models.ForeignKey(
        MaintenanceTask, on_delete=models.CASCADE, related_name="parts", verbose_name=_("task")
    )
    spare_part = models.ForeignKey(
        SparePart, on_delete=models.PROTECT, related_name="+", verbose_name=_("spare part")
    )
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2, default=1)

    class Meta:
        verbose_name = _("part usually needed")
        verbose_name_plural = _("parts usually needed")
        constraints = [
            models.UniqueConstraint(fields=["task", "spare_part"], name="maintenance_part_once"),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="maintenance_part_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.spare_part_id} × {self.quantity}"


class ReadingSource(models.TextChoices):
    WEB = "web", _("Portal")
    API = "api", _("API")


class CounterReading(models.Model):
    """A running-hours reading of a unit's counter.

    ``hours`` is what the counter shows; ``total_hours`` the unit's running hours over all its
    counters (a replaced counter starts again from its own reading), what the plans count on.
    """

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="counter_readings", verbose_name=_("unit")
    )
    read_on = models.DateField(_("read on"))
    hours = models.DecimalField(_("running hours"), max_digits=10, decimal_places=1)
    total_hours = models.DecimalField(
        _("total running hours"), max_digits=11, decimal_places=1, editable=False
    )
    is_replacement = models.BooleanField(
        _("new counter"),
        default=False,
        help_text=_("The counter was replaced: this reading starts again from the new counter."),
    )
    source = models.CharField(
        _("source"), max_length=5, choices=ReadingSource.choices, default=ReadingSource.WEB
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("counter reading")
        verbose_name_plural = _("counter readings")
        ordering = ["unit", "-read_on", "-pk"]
        indexes = [
            models.Index(fields=["unit", "-read_on", "-id"], name="counter_reading_unit_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gte=0), name="counter_reading_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.read_on}: {self.hours}"


class MaintenanceOccurrence(models.Model):
    """One time a task falls due on one unit; made ahead of time by the scheduled job.

    ``number`` counts the occurrences of the task on the unit: the unique constraint makes each
    one once, whoever runs the job. The call and the intervention are made ``lead_days`` before
    ``due_on``; the intervention done (or cancelled) closes it and the next one is computed.
    """

    task = models.ForeignKey(
        MaintenanceTask,
        on_delete=models.CASCADE,
        related_name="occurrences",
        verbose_name=_("task"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        related_name="maintenance_occurrences",
        verbose_name=_("unit"),
    )
    number = models.PositiveIntegerField(_("number"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    due_hours = models.DecimalField(
        _("due at running hours"), max_digits=11, decimal_places=1, null=True, blank=True
    )
    intervention = models.OneToOneField(
        Intervention,
        on_delete=models.SET_NULL,
        related_name="maintenance_occurrence",
        verbose_name=_("intervention"),
        null=True,
        blank=True,
    )
    completed_on = models.DateField(_("done on"), null=True, blank=True)
    completed_hours = models.DecimalField(
        _("running hours when done"), max_digits=11, decimal_places=1, null=True, blank=True
    )
    cancelled = models.BooleanField(_("cancelled"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("maintenance occurrence")
        verbose_name_plural = _("maintenance occurrences")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "unit", "number"], name="maintenance_occurrence_once"
            ),
            # One open occurrence per task and unit: the next one follows the completion.
            models.UniqueConstraint(
                fields=["task", "unit"],
                condition=models.Q(completed_on__isnull=True, cancelled=False),
                name="maintenance_occurrence_one_open",
            ),
        ]
        indexes = [
            # The overview: the open ones by due date.
            models.Index(
                fields=["due_on", "id"],
                condition=models.Q(completed_on__isnull=True, cancelled=False),
                name="maintenance_open_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}/{self.unit_id} #{self.number}"

    @property
    def is_open(self) -> bool:
        return self.completed_on is None and not self.cancelled
