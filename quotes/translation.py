from modeltranslation.translator import TranslationOptions, register

from quotes.models import Rate


@register(Rate)
class RateTranslationOptions(TranslationOptions):
    fields = ("description",)
