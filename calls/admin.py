"""Master data for the system operator; calls themselves are handled in the portal pages."""

from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin

from calls.models import InterventionType


@admin.register(InterventionType)
class InterventionTypeAdmin(TabbedTranslationAdmin):
    list_display = ("code", "name", "is_warranty", "is_active", "position")
    list_filter = ("is_active", "is_warranty")
    search_fields = ("code", "name_it", "name_en")
