from django.conf import settings
from django.http import HttpRequest

from service_portal.navigation import items_for


def portal(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {
        "company_name": settings.COMPANY_NAME,
        "nav_groups": items_for(user) if user is not None else [],
    }
