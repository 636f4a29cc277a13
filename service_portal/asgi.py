import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "service_portal.settings")
application = get_asgi_application()

from service_portal.startup import refuse_development_key  # noqa: E402 - needs the settings

refuse_development_key()
