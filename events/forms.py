from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from events import catalogue
from events.models import WebhookEndpoint


class EndpointForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        label=_("Event types"),
        choices=catalogue.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every event."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "event_types", "is_active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(_("Enter an http or https address."))
        return url
