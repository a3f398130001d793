"""Work Off Plans project package.

The Celery app is imported here so that it is configured whenever Django is,
and `@shared_task` functions bind to it.
"""

from .celery import app as celery_app

__all__ = ("celery_app",)
