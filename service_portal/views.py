from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from service_portal import company
from service_portal.company_forms import CompanyProfileForm
from service_portal.fiscal import PNG_SIGNATURE
from service_portal.forms import VersionConflict
from service_portal.navigation import home_url_for
from service_portal.permissions import role_required
from service_portal.roles import ADMINISTRATORS


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to the page it starts its day with."""
    return redirect(home_url_for(request.user))


@never_cache
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 otherwise (for load balancers and monitoring)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@role_required(*ADMINISTRATORS)
def company_profile(request: HttpRequest) -> HttpResponse:
    """The company that sends the documents: one record, edited by administrators."""
    profile = company.current_from_database()
    form = CompanyProfileForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except VersionConflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The company profile has been saved."))
            return redirect("company_profile")
    return render(
        request,
        "portal/company_profile.html",
        {"form": form, "profile": profile, "page_title": _("Company profile")},
    )


@require_GET
def company_logo(request: HttpRequest) -> HttpResponse:
    """The company's logo, for the top bar and the login page (public, like any letterhead).

    Like every response of the portal it is not stored in caches (``cache_control``): a few
    KB per page, and a new logo shows at once."""
    profile = company.current()
    if profile is None or not profile.logo:
        raise Http404
    try:
        content = profile.logo.open("rb").read()
    except OSError as exc:
        raise Http404 from exc
    finally:
        profile.logo.close()
    is_png = content.startswith(PNG_SIGNATURE)
    response = HttpResponse(content, content_type="image/png" if is_png else "image/svg+xml")
    response["X-Content-Type-Options"] = "nosniff"
    if not is_png:
        # Opened on its own, a drawing runs nothing and loads nothing.
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@require_GET
def company_theme(request: HttpRequest) -> HttpResponse:
    """The accent colour of the top bar as a stylesheet (the CSP allows no inline style)."""
    colour = company.branding().accent_colour
    css = ""
    if colour:
        css = (
            f".portal-topbar{{--portal-topbar-bg:{colour};background-color:{colour}!important;"
            "--bs-navbar-color:#fff;--bs-navbar-hover-color:#fff;"
            "--bs-navbar-active-color:#fff;--bs-navbar-brand-color:#fff;"
            "--bs-navbar-brand-hover-color:#fff}\n"
        )
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    return response


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``: pages without an icon of their own (the Django admin's) make the browser
    ask for it; it is the portal's icon (resolved per request: the manifest may not exist yet
    when the URLconf is imported)."""
    from django.http import HttpResponsePermanentRedirect
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("favicon.svg"))
