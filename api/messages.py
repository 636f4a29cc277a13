"""Django's own wording for the messages that DRF's catalogue translates differently.

Catalogues of installed apps take precedence over Django's, so DRF's Italian would replace
Django's in every portal form ("Campo obbligatorio." instead of "Questo campo è obbligatorio.").
The api app is listed before rest_framework, so these entries of its catalogue win, and the
API and the forms speak alike.
"""

from django.utils.translation import gettext_noop

SHARED_WITH_DJANGO = (
    gettext_noop("This field is required."),
    gettext_noop("No file was submitted."),
    gettext_noop("Enter a valid URL."),
    gettext_noop(
        "Upload a valid image. The file you uploaded was either not an image or a corrupted image."
    ),
)
