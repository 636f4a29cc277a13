from modeltranslation.translator import TranslationOptions, register

from customers.models import Product


@register(Product)
class ProductTranslationOptions(TranslationOptions):
    fields = ("description",)
