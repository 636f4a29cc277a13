from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from service_portal.navigation import home_url_for


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


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``: pages without an icon of their own (the Django admin's) make the browser
    ask for it; it is the portal's icon (resolved per request: the manifest may not exist yet
    when the URLconf is imported)."""
    from django.http import HttpResponsePermanentRedirect
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("favicon.svg"))
