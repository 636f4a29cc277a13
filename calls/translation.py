from modeltranslation.translator import TranslationOptions, register

from calls.models import ChecklistItem, ChecklistTemplate, InterventionType


@register(InterventionType)
class InterventionTypeTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(ChecklistTemplate)
class ChecklistTemplateTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(ChecklistItem)
class ChecklistItemTranslationOptions(TranslationOptions):
    fields = ("label", "unit", "options")
