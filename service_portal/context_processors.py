from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    # The menu comes from {% nav_menu %} (service_portal/templatetags/portal_nav.py).
    return {"company_name": settings.COMPANY_NAME}
