from modeltranslation.translator import TranslationOptions, register

from service_portal.models import CompanyProfile


@register(CompanyProfile)
class CompanyProfileTranslationOptions(TranslationOptions):
    # Printed on documents in the customer's language.
    fields = ("payment_terms", "footer_text")
