"""Escalations of plans in monitoring, and the PAB hearings that settle them.

BSC path (BSC-led and DIP-led plans): a PAB hearing is set, the participant
uploads a presentation, and the BSC PAB returns the plan to monitoring or
refers the participant under the BSC Performance Assurance Framework. REC
path: the REC Code Manager refers the escalation to the REC PAB, which returns
the plan to monitoring or refers the participant under REC Performance
Assurance. After a referral the plan stays escalated until the same board
records that the participant is compliant again.
"""

import hashlib
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
    COMPLIANT = "compliant", "Compliant again after referral"


# Statuses in which the escalation waits for a hearing outcome.
OPEN_STATUSES = (
    EscalationStatus.RAISED,
    EscalationStatus.HEARING_SET,
    EscalationStatus.WITH_REC_PAB,
)
# Statuses in which the escalation keeps its plan escalated: the open ones,
# and a referral until the board records that the participant is compliant.
# A plan has at most one escalation in these.
ACTIVE_STATUSES = (*OPEN_STATUSES, EscalationStatus.REFERRED)


class TriggerKind(models.TextChoices):
    """Kind of event that raises an escalation automatically (`Escalation.trigger["kind"]`)."""

    WORKAROUND_FAILURE = "workaround_failure", "A report said a workaround no longer mitigates"
    REPORT_MISSING = "report_missing", "A report was not received within the grace period"


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
    # Empty when the system raised it (a report or the chase job), and
    # `trigger` then records what raised it.
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    # {"kind": TriggerKind, ...}: for a workaround failure "report_id",
    # "period_sequence" and "item_references"; for a missing report
    # "period_id", "period_sequence", "due_at" and "deadline" (ISO datetimes).
    # Empty for an escalation raised by hand.
    trigger = models.JSONField(default=dict, blank=True)
    # Set when the plan leaves escalated: a return to monitoring, or the
    # compliance finding that follows a referral.
    closed_at = models.DateTimeField(null=True, blank=True)
    compliance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    compliance_recorded_at = models.DateTimeField(null=True, blank=True)
    compliance_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="one_active_escalation_per_plan",
            ),
        ]

    def __str__(self):
        return f"Escalation {self.pk} of plan {self.plan_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def board_label(self) -> str:
        """The board that hears the escalation and records its outcome."""
        return "BSC PAB" if self.path == EscalationPath.BSC else "REC PAB"

    @property
    def framework_label(self) -> str:
        """The scheme a referral on this escalation's path is made under."""
        if self.path == EscalationPath.BSC:
            return "the BSC Performance Assurance Framework"
        return "REC Performance Assurance"

    @property
    def status_summary(self) -> str:
        """Current status of the escalation with its dates, worded for a participant."""
        hearing = getattr(self, "hearing", None)
        if self.status == EscalationStatus.RAISED:
            if self.path == EscalationPath.REC:
                return "Raised; waiting for the REC Code Manager to refer it to the REC PAB"
            return "Raised; waiting for a BSC PAB hearing date to be set"
        if self.status == EscalationStatus.HEARING_SET:
            return f"BSC PAB hearing set for {hearing.hearing_date:%d/%m/%Y}"
        if self.status == EscalationStatus.WITH_REC_PAB:
            return f"Referred to the REC PAB, meeting on {hearing.hearing_date:%d/%m/%Y}"
        if self.status == EscalationStatus.REFERRED:
            return (
                f"Referred under {self.framework_label}; the plan stays escalated until the "
                f"{self.board_label} records that the participant is compliant again"
            )
        return self.get_status_display()

    @property
    def status_badge(self) -> str:
        """Bootstrap colour of the status badge: red while active, green or grey once closed."""
        if self.status == EscalationStatus.COMPLIANT:
            return "success"
        if self.status == EscalationStatus.RETURNED:
            return "secondary"
        return "danger"

    @property
    def trigger_summary(self) -> str:
        """Description of what raised the escalation automatically, or "" if raised by hand."""
        kind = self.trigger.get("kind")
        if kind == TriggerKind.WORKAROUND_FAILURE:
            references = self.trigger.get("item_references") or []
            sequence = self.trigger.get("period_sequence")
            if len(references) > 1:
                names = ", ".join(references[:-1]) + " and " + references[-1]
                return f"report {sequence} said the workarounds for {names} no longer mitigate"
            name = references[0] if references else "an item"
            return f"report {sequence} said the workaround for {name} no longer mitigates"
        if kind == TriggerKind.REPORT_MISSING:
            from django.utils.dateparse import parse_datetime
            from django.utils.formats import date_format

            from reporting.schedule import report_zone

            deadline = parse_datetime(self.trigger["deadline"]).astimezone(report_zone())
            return (
                f"report for period {self.trigger.get('period_sequence')} not received by "
                f"{date_format(deadline, 'j M Y H:i T')}"
            )
        return ""


class HearingOutcome(models.TextChoices):
    RETURN_TO_MONITORING = "return", "Returned to monitoring"
    REFER = "refer", "Referred under Performance Assurance"


def presentation_upload_path(instance, filename):
    # A random name keeps the participant's file name off the file system;
    # the original name is stored on the row for the download.
    return f"escalations/{instance.hearing.escalation.plan_id}/{uuid.uuid4().hex}"


class Hearing(models.Model):
    """The PAB meeting that hears an escalation (the BSC PAB or the REC PAB)."""

    escalation = models.OneToOneField(Escalation, on_delete=models.PROTECT, related_name="hearing")
    hearing_date = models.DateField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

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


def file_sha256(upload) -> str:
    """Return the hex SHA-256 of an uploaded or stored file, read in chunks."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


class Presentation(models.Model):
    """One presentation the participant uploaded for a BSC PAB hearing.

    A new upload adds a row and keeps the earlier ones. The latest is the one
    the PAB reads.
    """

    hearing = models.ForeignKey(Hearing, on_delete=models.PROTECT, related_name="presentations")
    file = models.FileField(upload_to=presentation_upload_path, max_length=255)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    # Hex SHA-256 of the file as uploaded; empty only for files stored before
    # the checksum was recorded and no longer readable.
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name
