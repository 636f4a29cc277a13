"""What a technician needs to reach a job and do it: the place (full address, map links), whom
to call, the machine, what to bring. One place for the job pages, the e-mails and the calendar
feed (planner), so they all say the same.

Map links need no external script: a ``geo:`` URI (phones open their map app with the address
as the query) and an OpenStreetMap search link for everything else.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.conf import settings
from django.utils.translation import gettext as _

from calls.models import Intervention
from customers.models import Site

OSM_SEARCH = "https://www.openstreetmap.org/search"
# What ``job_lines`` reads, from an intervention (for ``select_related``).
JOB_RELATED = ("call__customer", "call__site", "call__contact", "call__unit__product")


def site_address(site: Site) -> str:
    """The site's name and full address in one line (what a navigator is given)."""
    return site.full_address or site.name


def geo_uri(site: Site) -> str:
    """``geo:0,0?q=<address>`` (RFC 5870 with the query used by Android and iOS map apps)."""
    return "geo:0,0?q=" + quote(site_address(site), safe="")


def osm_url(site: Site) -> str:
    return f"{OSM_SEARCH}?{urlencode({'query': site_address(site)})}"


def job_url(intervention: Intervention) -> str:
    """The job's page, absolute (for e-mails and calendar entries)."""
    return settings.SITE_URL.rstrip("/") + intervention.get_absolute_url()


def job_lines(intervention: Intervention) -> list[str]:
    """The job's facts as "label: value" lines, in the active language: full address,
    contact and phone, machine and serial number, what to bring, the page's link. The
    intervention's call, site, contact and unit with its product are expected loaded."""
    call = intervention.call
    lines = [f"{_('Address')}: {call.site.name}, {site_address(call.site)}"]
    contact = call.contact
    if contact is not None:
        phones = " / ".join(p for p in (contact.phone, contact.mobile) if p)
        lines.append(f"{_('Contact')}: {contact.name}" + (f", {phones}" if phones else ""))
    elif call.no_contact_reason:
        lines.append(f"{_('Contact')}: — ({call.no_contact_reason})")
    if call.unit is not None:
        lines.append(f"{_('Serial number')}: {call.unit.serial_number} ({call.unit.product.code})")
    if intervention.what_to_bring:
        lines.append(f"{_('What to bring')}: {intervention.what_to_bring}")
    lines.append(f"{_('Job page')}: {job_url(intervention)}")
    return lines
