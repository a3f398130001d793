"""Celery tasks of the plans app."""

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def send_plan_email(self, *, to: str, subject: str, body: str, plan_id: int | None = None):
    """Send one rendered e-mail to one address.

    The message is rendered before it is queued, so the task carries only
    text and retries with back-off when the mail server is unreachable. One
    task per address keeps a retry from sending twice to the others.
    """
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()
    logger.info(
        "plan email sent plan_id=%s task_id=%s attempt=%s",
        plan_id,
        self.request.id,
        self.request.retries,
    )
