"""Celery tasks of the reporting app."""

import logging

from celery import shared_task
from django.db import OperationalError
from django.utils.dateparse import parse_datetime

from .services.chase import ChaseDeliveryFailed, chase_run

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(ChaseDeliveryFailed, OperationalError),
    retry_backoff=True,
    # Back-off stays far below the broker's visibility timeout (one hour), so a
    # retry is never mistaken for a lost message and delivered twice.
    retry_backoff_max=600,
    max_retries=5,
)
def chase_reports(self, now: str | None = None) -> dict[str, int]:
    """Run the report chase once and return its counts.

    Safe to deliver twice (Redis redelivery after the visibility timeout, or a
    worker that died before acknowledging): every step is keyed on a unique
    (period, kind) notice row, so a second run sends nothing already sent.
    `now` is an ISO 8601 datetime for operators replaying a missed day.
    """
    moment = parse_datetime(now) if now else None
    result = chase_run(now=moment)
    logger.info(
        "report chase task done task_id=%s attempt=%s", self.request.id, self.request.retries
    )
    return result.counts()
