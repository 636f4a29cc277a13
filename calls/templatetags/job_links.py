"""Map links of a job's site (``calls.job``): a geo: URI and an OpenStreetMap search."""

from __future__ import annotations

from django import template

from calls import job
from customers.models import Site

register = template.Library()


@register.filter
def geo_uri(site: Site) -> str:
    return job.geo_uri(site)


@register.filter
def osm_url(site: Site) -> str:
    return job.osm_url(site)
