from modeltranslation.translator import TranslationOptions, register

from orders.models import DeliveryTerm, PaymentMethod, SparePart, Transport, VatRate


@register(SparePart)
class SparePartTranslationOptions(TranslationOptions):
    fields = ("description",)


@register(PaymentMethod)
@register(DeliveryTerm)
@register(Transport)
@register(VatRate)
class TermTranslationOptions(TranslationOptions):
    fields = ("name",)
