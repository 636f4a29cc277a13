from modeltranslation.translator import TranslationOptions, register

from service_portal.models import CompanyProfile, PaymentTerm


@register(CompanyProfile)
class CompanyProfileTranslationOptions(TranslationOptions):
    # Printed on documents in the customer's language.
    fields = ("payment_terms", "footer_text")


@register(PaymentTerm)
class PaymentTermTranslationOptions(TranslationOptions):
    fields = ("name",)
