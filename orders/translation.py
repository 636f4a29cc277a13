from modeltranslation.translator import TranslationOptions, register

from orders.models import DeliveryTerm, PaymentMethod, SparePart, Transport, VatRate


@register(SparePart)
class SparePartTranslationOptions(TranslationOptions):
    fields = ("description",)


@register(PaymentMethod)
@register(DeliveryTerm)
@register(Transport)
class TermTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(VatRate)
class VatRateTranslationOptions(TranslationOptions):
    # The legal reference is printed on invoices in the customer's language.
    fields = ("name", "legal_reference")
