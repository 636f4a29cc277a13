"""The company that sends the documents, as every page, document and e-mail reads it.

``current()`` returns the one ``CompanyProfile`` or None, from the cache: pages, PDFs and
e-mails cost no query for it. Saving or deleting the profile refreshes the cached copy (in
every process when the cache is Redis; with the in-process cache of a single-machine
installation other processes see the change within ``CACHE_SECONDS``).

Pages (the top bar and the login page: name, logo, accent colour) read it through a copy each
process keeps for ``PAGE_SECONDS`` (``page_branding()``): a page then costs no cache round trip
for it either. The process that saves the profile renews its copy at once; other processes show
the new name or logo within ``PAGE_SECONDS``. Documents and e-mails always read ``current()``.

Until an administrator fills in the profile, the documents carry only the ``COMPANY_NAME``
setting and the administrator's dashboard says so.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.urls import reverse

from service_portal.models import CompanyProfile

CACHE_KEY = "service_portal:company_profile:v1"
CACHE_SECONDS = 60
ABSENT = "absent"
PAGE_SECONDS = 5.0
# The pages' copy in this process: (time.monotonic() when read, the profile or None), or None.
_page_copy: tuple[float, CompanyProfile | None] | None = None


def current() -> CompanyProfile | None:
    cached = cache.get(CACHE_KEY)
    if cached is None:
        profile = CompanyProfile.objects.filter(pk=CompanyProfile.SINGLETON_PK).first()
        remember(profile)
        return profile
    return None if cached == ABSENT else cached


def current_from_database() -> CompanyProfile | None:
    """The profile as stored now (the edit page: never a cached copy)."""
    return CompanyProfile.objects.filter(pk=CompanyProfile.SINGLETON_PK).first()


def remember(profile: CompanyProfile | None) -> None:
    global _page_copy
    cache.set(CACHE_KEY, profile if profile is not None else ABSENT, CACHE_SECONDS)
    _page_copy = (time.monotonic(), profile)


def forget() -> None:
    global _page_copy
    cache.delete(CACHE_KEY)
    _page_copy = None


def for_pages() -> CompanyProfile | None:
    """The profile as the pages' layout shows it: this process's copy, read again from the cache
    when it is ``PAGE_SECONDS`` old."""
    global _page_copy
    copy = _page_copy
    now = time.monotonic()
    if copy is None or now - copy[0] >= PAGE_SECONDS:
        copy = (now, current())
        _page_copy = copy
    return copy[1]


def _saved(sender: Any, instance: CompanyProfile, **kwargs: Any) -> None:
    remember(instance)


def _deleted(sender: Any, instance: CompanyProfile, **kwargs: Any) -> None:
    remember(None)


post_save.connect(_saved, sender=CompanyProfile, dispatch_uid="company_profile_saved")
post_delete.connect(_deleted, sender=CompanyProfile, dispatch_uid="company_profile_deleted")


@dataclass(frozen=True)
class Branding:
    """What the top bar, the login page, the documents and the e-mails show of the company."""

    profile: CompanyProfile | None
    # A frozen copy of the seller (an issued invoice) takes the logo from the current profile.
    logo_source: Branding | None = None

    @property
    def name(self) -> str:
        return self.profile.legal_name if self.profile else settings.COMPANY_NAME

    @property
    def has_logo(self) -> bool:
        if self.logo_source is not None:
            return self.logo_source.has_logo
        return bool(self.profile and self.profile.logo)

    @property
    def logo_url(self) -> str:
        """The logo as the portal serves it (pages), versioned so browsers refetch a new one."""
        if not self.has_logo:
            return ""
        assert self.profile is not None
        return f"{reverse('company_logo')}?v={int(self.profile.updated_at.timestamp())}"

    @property
    def logo_document_url(self) -> str:
        """The logo for WeasyPrint (``service_portal.pdf`` maps /media/ to the file)."""
        if self.logo_source is not None:
            return self.logo_source.logo_document_url
        if not self.has_logo:
            return ""
        assert self.profile is not None
        return settings.MEDIA_URL + self.profile.logo.name

    @property
    def accent_colour(self) -> str:
        return self.profile.accent_colour if self.profile else ""


def branding() -> Branding:
    return Branding(current())


def page_branding() -> Branding:
    """The company as the top bar and the login page show it (``for_pages``)."""
    return Branding(for_pages())
