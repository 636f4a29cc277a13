"""The portal's URLs plus the benchmark's trivial page: the portal's layout around a table of
25 rows, for an anonymous visitor, with no database query."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from service_portal.urls import urlpatterns as portal_urlpatterns

TRIVIAL = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<table class="table">'
    "{% for row in rows %}<tr><td>{{ row }}</td><td>row {{ row }}</td><td>{{ row|add:1 }}</td>"
    "</tr>{% endfor %}</table>{% endblock %}"
)


def trivial(request):
    return HttpResponse(TRIVIAL.render({"rows": range(25)}, request))


urlpatterns = [path("bench/trivial/", trivial), *portal_urlpatterns]
