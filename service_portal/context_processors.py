from django.http import HttpRequest

from service_portal.company import page_branding


def portal(request: HttpRequest) -> dict:
    # The menu comes from {% nav_menu %} (service_portal/templatetags/portal_nav.py).
    branding = page_branding()
    return {"branding": branding, "company_name": branding.name}
