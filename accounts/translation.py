from modeltranslation.translator import TranslationOptions, register

from accounts.models import SecretQuestion


@register(SecretQuestion)
class SecretQuestionTranslationOptions(TranslationOptions):
    fields = ("text",)
