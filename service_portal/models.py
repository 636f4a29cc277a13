from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.signals import class_prepared
from django.utils.translation import gettext_lazy as _


# --- Audit fields: one abstract base for every app ------------------------------------------
class TimeStamped(models.Model):
    """When the record was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class Versioned(models.Model):
    """Optimistic locking, the one scheme of the portal (``service_portal.locking``).

    ``version`` starts at 1 and goes up by one with every change: every full ``save()`` of an
    existing row, and every ``save(update_fields=[..., "version"])``. A save limited to other
    fields is not an edit (a derived status, a signature, the link to a quote): an editor open
    meanwhile is not refused for it. An edit form carries the version it showed; the service
    re-reads the row under lock and refuses a different one (``service_portal.locking``).
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        inserting = self._state.adding or self.pk is None or kwargs.get("force_insert")
        if inserting and not self._state.adding:
            self.version = 1  # a copy saved as a new row (a revision) is a new record
        bump = not inserting and (update_fields is None or "version" in update_fields)
        if not bump:
            super().save(*args, **kwargs)
            return
        # Counted by the database (version = version + 1), never from this possibly stale copy:
        # two saves never write the same number. The new value is read when next used.
        self.version = models.F("version") + 1  # type: ignore[assignment]
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "version"}
        try:
            super().save(*args, **kwargs)
        finally:
            self.__dict__.pop("version", None)


class Audited(TimeStamped, Versioned):
    """Who created the record, when it was created and changed, and its version.

    A model whose "created by" reads differently (Italian: "creata da" for a call; "recorded by"
    for an expense) sets ``created_by_label``.
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    created_by_label: Any = None

    class Meta:
        abstract = True


def _label_created_by(sender: type, **kwargs: Any) -> None:
    label = getattr(sender, "created_by_label", None)
    if label is not None and issubclass(sender, Audited):
        field = sender._meta.get_field("created_by")
        field.verbose_name = field._verbose_name = label  # _verbose_name: what migrations see


class_prepared.connect(_label_created_by)


class Counter(models.Model):
    """The last number handed out in one series and year (see ``service_portal.numbering``)."""

    series = models.CharField(_("series"), max_length=40)
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.PositiveIntegerField(_("last value"), default=0)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="counter_unique_series_year"),
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.year}: {self.value}"


class FormSubmission(models.Model):
    """A create form that was already processed, so a double submit does not create twice.

    Create forms carry a random token; the first request that inserts the token wins (the unique
    constraint holds under concurrency), a repeat is sent to what the first one created.
    """

    token = models.UUIDField(_("token"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    result_url = models.CharField(_("result"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self) -> str:
        return str(self.token)


class RateCounter(models.Model):
    """Requests counted for one key in its current fixed window (``service_portal.ratelimit``).

    The rate limits' shared counter when there is no Redis: every app process, on every machine,
    counts in the same row. One row per key, reused window after window; rows of windows long
    past are deleted now and then.
    """

    key = models.CharField(max_length=100, primary_key=True)
    window_start = models.BigIntegerField()  # Unix time of the window's start
    expires = models.BigIntegerField(db_index=True)  # Unix time of its end
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"


class TaxRegime(models.TextChoices):
    """The seller's tax regime (RegimeFiscale) as in the FatturaPA tables."""

    RF01 = "RF01", _("RF01 – Ordinary regime")
    RF02 = "RF02", _("RF02 – Minimum taxpayers (art. 1, c. 96-117, L. 244/2007)")
    RF04 = "RF04", _("RF04 – Agriculture and fishing (art. 34 and 34-bis, DPR 633/1972)")
    RF05 = "RF05", _("RF05 – Sale of salt and tobacco (art. 74, c. 1, DPR 633/1972)")
    RF06 = "RF06", _("RF06 – Sale of matches (art. 74, c. 1, DPR 633/1972)")
    RF07 = "RF07", _("RF07 – Publishing (art. 74, c. 1, DPR 633/1972)")
    RF08 = "RF08", _("RF08 – Public telephone services (art. 74, c. 1, DPR 633/1972)")
    RF09 = "RF09", _("RF09 – Resale of transport and parking tickets (art. 74, c. 1, DPR 633/1972)")
    RF10 = "RF10", _("RF10 – Entertainment and games (art. 74, c. 6, DPR 633/1972)")
    RF11 = "RF11", _("RF11 – Travel and tourism agencies (art. 74-ter, DPR 633/1972)")
    RF12 = "RF12", _("RF12 – Farm holidays (art. 5, c. 2, L. 413/1991)")
    RF13 = "RF13", _("RF13 – Door-to-door sales (art. 25-bis, c. 6, DPR 600/1973)")
    RF14 = "RF14", _("RF14 – Resale of used goods, art and antiques (art. 36, DL 41/1995)")
    RF15 = "RF15", _("RF15 – Auctions of art and antiques (art. 40-bis, DL 41/1995)")
    RF16 = (
        "RF16",
        _("RF16 – VAT on cash basis for public administrations (art. 6, c. 5, DPR 633/1972)"),
    )
    RF17 = "RF17", _("RF17 – VAT on cash basis (art. 32-bis, DL 83/2012)")
    RF18 = "RF18", _("RF18 – Other")
    RF19 = "RF19", _("RF19 – Flat-rate regime")


def validate_logo(file) -> None:
    from service_portal.fiscal import logo_kind

    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    content = file.read()
    file.seek(position)
    logo_kind(content)


def company_logo_path(instance: CompanyProfile, filename: str) -> str:
    """``company/logo-<random>.png`` or ``.svg``, by the file's content, not the sender's name."""
    import uuid

    file = instance.logo.file
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    extension = "png" if head == b"\x89PNG\r\n\x1a\n" else "svg"
    return f"company/logo-{uuid.uuid4().hex[:12]}.{extension}"


def validate_iban(value: str) -> None:
    from service_portal.fiscal import normalise_iban

    normalise_iban(value)


def validate_accent(value: str) -> None:
    from service_portal.fiscal import validate_accent_colour

    validate_accent_colour(value)


class PaymentMethod(models.TextChoices):
    """How a payment is made, with the FatturaPA code (ModalitaPagamento) as its value."""

    CASH = "MP01", _("Cash")
    CHEQUE = "MP02", _("Cheque")
    BANK_TRANSFER = "MP05", _("Bank transfer")
    CARD = "MP08", _("Card")
    RIBA = "MP12", _("RiBa (bank receipt)")
    SEPA_DIRECT_DEBIT = "MP19", _("SEPA direct debit")
    OFFSET = "MP22", _("Offset against amounts already collected")


def validate_instalment_days(value: str) -> None:
    from service_portal.payment_terms import parse_days

    parse_days(value)


class PaymentTerm(models.Model):
    """Master data: when an invoice is paid (condizioni di pagamento).

    ``days`` lists the instalments as days after the invoice date ("0" immediate, "30",
    "30,60"); with ``end_of_month`` each due date moves to the end of its month
    (``service_portal.payment_terms.due_dates``). The company profile names the default term,
    a customer may have its own; issuing an invoice freezes its due dates.
    """

    name = models.CharField(_("name"), max_length=100)
    days = models.CharField(
        _("days"),
        max_length=60,
        default="0",
        validators=[validate_instalment_days],
        help_text=_(
            "Days after the invoice date, one number per instalment: 0 (immediate), 30, "
            "30,60, 30,60,90."
        ),
    )
    end_of_month = models.BooleanField(
        _("end of month"),
        default=False,
        help_text=_("Each due date moves to the last day of its month (fine mese)."),
    )
    method = models.CharField(
        _("payment method"),
        max_length=4,
        choices=PaymentMethod.choices,
        default=PaymentMethod.BANK_TRANSFER,
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("payment term")
        verbose_name_plural = _("payment terms")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class CompanyProfile(Versioned):
    """The company that sends the documents: one record (pk 1), edited by administrators.

    Read it with ``service_portal.company.current()`` (kept in the cache, so a page costs no
    query); until it exists the documents fall back to the ``COMPANY_NAME`` setting.
    """

    SINGLETON_PK = 1

    legal_name = models.CharField(_("legal name"), max_length=200)
    address = models.CharField(_("address"), max_length=200)
    postal_code = models.CharField(
        _("postal code"),
        max_length=5,
        validators=[RegexValidator(r"^\d{5}$", _("Five digits (CAP)."))],
    )
    city = models.CharField(_("city"), max_length=100)
    province = models.CharField(
        _("province"),
        max_length=2,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Two capital letters, e.g. MI."))],
    )
    vat_number = models.CharField(_("VAT number"), max_length=13)
    fiscal_code = models.CharField(
        _("fiscal code"), max_length=16, help_text=_("Often the same 11 digits as the VAT number.")
    )
    rea_office = models.CharField(
        _("REA office"),
        max_length=2,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Two capital letters, e.g. MI."))],
        help_text=_("Province of the register of companies (REA)."),
    )
    rea_number = models.CharField(_("REA number"), max_length=20, blank=True)
    share_capital = models.DecimalField(
        _("share capital"), max_digits=15, decimal_places=2, null=True, blank=True
    )
    sole_shareholder = models.BooleanField(
        _("sole shareholder"), default=False, help_text=_("Socio unico.")
    )
    in_liquidation = models.BooleanField(_("in liquidation"), default=False)
    tax_regime = models.CharField(
        _("tax regime"), max_length=4, choices=TaxRegime.choices, default=TaxRegime.RF01
    )
    pec = models.EmailField(_("PEC"), blank=True, help_text=_("Certified e-mail address."))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.FileField(
        _("logo"),
        upload_to=company_logo_path,
        blank=True,
        validators=[validate_logo],
        help_text=_("A PNG image or an SVG drawing, at most 512 KB."),
    )
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    bic = models.CharField(_("BIC (SWIFT)"), max_length=11, blank=True)
    payment_terms = models.CharField(
        _("default payment terms"),
        max_length=200,
        blank=True,
        help_text=_("Printed on invoices, e.g. Bank transfer, 30 days from the invoice date."),
    )
    default_payment_term = models.ForeignKey(
        PaymentTerm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default payment term"),
        help_text=_("Due dates of the invoices of customers without a payment term of their own."),
    )
    invoice_series = models.CharField(
        _("invoice series"),
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^[A-Z0-9]{1,5}$", _("Up to five capital letters or digits."))],
        help_text=_(
            "Added to the invoice numbers (2026/0001/SP), so they never collide with the "
            "numbers of the invoices issued by the ERP (sezionale)."
        ),
    )
    footer_text = models.TextField(
        _("document footer"),
        max_length=600,
        blank=True,
        help_text=_("Printed at the foot of every document, in each language."),
    )
    accent_colour = models.CharField(
        _("accent colour"),
        max_length=7,
        blank=True,
        validators=[validate_accent],
        help_text=_("The top bar's colour, e.g. #0b5ed7; white text on it must stay readable."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("company profile")
        verbose_name_plural = _("company profile")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="company_profile_single_row")
        ]

    def __str__(self) -> str:
        return self.legal_name

    def save(self, *args, **kwargs) -> None:
        self.pk = self.SINGLETON_PK
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from service_portal import fiscal

        errors = {}
        for field, normalise in (
            ("vat_number", fiscal.normalise_company_vat),
            ("fiscal_code", fiscal.normalise_company_fiscal_code),
            ("iban", fiscal.normalise_iban),
            ("bic", fiscal.normalise_bic),
        ):
            try:
                setattr(self, field, normalise(getattr(self, field)))
            except ValidationError as exc:
                errors[field] = exc
        self.province = self.province.upper()
        self.rea_office = self.rea_office.upper()
        if self.rea_number and not self.rea_office:
            errors["rea_office"] = ValidationError(
                _("Give the office of the REA number."), code="rea_office"
            )
        if errors:
            raise ValidationError(errors)

    @property
    def iban_display(self) -> str:
        from service_portal.fiscal import format_iban

        return format_iban(self.iban)

    @property
    def place(self) -> str:
        return f"{self.postal_code} {self.city} ({self.province})"


class JobRunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped: running elsewhere")


class JobRun(models.Model):
    """One run of a scheduled job (``service_portal.scheduling``): when, where, what it did."""

    job = models.CharField(_("job"), max_length=60)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JobRunStatus.choices, default=JobRunStatus.RUNNING
    )
    # What the job did ("3 warnings sent") or the error that stopped it.
    result = models.TextField(_("result"), blank=True, max_length=4000)
    host = models.CharField(_("machine"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("scheduled job run")
        verbose_name_plural = _("scheduled job runs")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["job", "status", "-started_at"], name="jobrun_job_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=JobRunStatus.values), name="jobrun_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M}"
