"""WSGI entry point (gunicorn workoff.wsgi).

Deployments set DJANGO_SETTINGS_MODULE=workoff.settings.production. The default
here matches manage.py, because importing the workoff package loads the Celery
app, which sets the same default first.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workoff.settings.base")

application = get_wsgi_application()
