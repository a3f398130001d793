"""ASGI entry point, for servers that speak ASGI.

Deployments set DJANGO_SETTINGS_MODULE=workoff.settings.production; the default
matches manage.py and workoff.wsgi.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workoff.settings.base")

application = get_asgi_application()
