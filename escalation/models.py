"""Escalations of plans in monitoring, and the PAB hearings that settle them.

BSC path (BSC-led and DIP-led plans): a PAB hearing is set, the participant
uploads a presentation, and the PAB returns the plan to monitoring or refers
the participant under the BSC Performance Assurance Framework. REC path: the
REC Code Manager refers the escalation to the REC PAB, which returns the plan
to monitoring or refers the participant under REC Performance Assurance.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from plans.models import Plan
from reporting.models import Report, ReportingPeriod


class EscalationReason(models.TextChoices):
    NO_ENGAGEMENT = "no_engagement", "Lack of engagement (report not submitted)"
    WORKAROUND_FAILURE = "workaround_failure", "Workaround no longer mitigates"
    MANUAL = "manual", "Raised by a reviewer"


class EscalationPath(models.TextChoices):
    BSC = "BSC", "BSC"
    REC = "REC", "REC"


class EscalationStatus(models.TextChoices):
    RAISED = "raised", "Raised"
    HEARING_SET = "hearing_set", "PAB hearing set"
    WITH_REC_PAB = "with_rec_pab", "Referred to the REC PAB"
    RETURNED = "returned", "Returned to monitoring"
    REFERRED = "referred", "Referred under Performance Assurance"


# Statuses in which the escalation is still being worked; a plan has at most
# one escalation in these.
OPEN_STATUSES = (
    EscalationStatus.RAISED,
    EscalationStatus.HEARING_SET,
    EscalationStatus.WITH_REC_PAB,
)


class Escalation(models.Model):
    """One escalation of a plan, with the periods and reports behind it."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="escalations")
    reason = models.CharField(max_length=20, choices=EscalationReason.choices)
    path = models.CharField(max_length=3, choices=EscalationPath.choices)
    status = models.CharField(
        max_length=12, choices=EscalationStatus.choices, default=EscalationStatus.RAISED
    )
    periods = models.ManyToManyField(ReportingPeriod, blank=True, related_name="escalations")
    reports = models.ManyToManyField(Report, blank=True, related_name="escalations")
    comment = models.TextField(blank=True)
    # Empty when the chase job raised it.
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="one_open_escalation_per_plan",
            ),
        ]

    def __str__(self):
        return f"Escalation {self.pk} of plan {self.plan_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class HearingOutcome(models.TextChoices):
    RETURN_TO_MONITORING = "return", "Returned to monitoring"
    REFER = "refer", "Referred under Performance Assurance"


def presentation_upload_path(instance, filename):
    return f"escalations/{instance.escalation.plan_id}/{uuid.uuid4().hex}"


class Hearing(models.Model):
    """The PAB meeting that hears an escalation (the BSC PAB or the REC PAB)."""

    escalation = models.OneToOneField(Escalation, on_delete=models.PROTECT, related_name="hearing")
    hearing_date = models.DateField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    presentation = models.FileField(upload_to=presentation_upload_path, max_length=255, blank=True)
    presentation_name = models.CharField(max_length=255, blank=True)
    presentation_uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    presentation_uploaded_at = models.DateTimeField(null=True, blank=True)

    outcome = models.CharField(max_length=8, choices=HearingOutcome.choices, blank=True)
    outcome_comment = models.TextField(blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["hearing_date", "id"]

    def __str__(self):
        return f"Hearing of escalation {self.escalation_id} on {self.hearing_date}"
