from modeltranslation.translator import TranslationOptions, register

from calls.models import InterventionType


@register(InterventionType)
class InterventionTypeTranslationOptions(TranslationOptions):
    fields = ("name",)
