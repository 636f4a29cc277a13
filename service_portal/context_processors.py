from django.http import HttpRequest

from service_portal.company import branding as company_branding
from service_portal.navigation import items_for


def portal(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    branding = company_branding()
    return {
        "branding": branding,
        "company_name": branding.name,
        "nav_groups": items_for(user) if user is not None else [],
    }
