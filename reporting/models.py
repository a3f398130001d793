"""Reporting periods, the participant's reports on them and the chase notices.

A plan in monitoring owes one report per period. Periods are created a few
ahead of time; the chase job keeps the supply topped up. A report, once
submitted, is never changed: only the reviewer's decision on a revised fix
date and the review status move afterwards.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from plans.choices import Rating
from plans.models import Item, Plan


class ImmutableReportError(Exception):
    """Raised when code tries to change what a participant submitted."""


class ReportingPeriod(models.Model):
    """One reporting period of a plan: the report for it is due at `due_at` (UTC)."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="reporting_periods")
    # 1 for the first period after monitoring starts, then one more per period.
    sequence = models.PositiveIntegerField()
    period_start = models.DateTimeField()
    # The period ends when its report falls due.
    due_at = models.DateTimeField(db_index=True)
    # Set when a PAB returns the plan to monitoring: the periods missed before
    # then are no longer chased, though a late report is still accepted.
    excused_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "sequence"], name="period_sequence_unique"),
        ]

    def __str__(self):
        return f"Plan {self.plan_id} period {self.sequence}"

    @property
    def period_end(self):
        return self.due_at


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", "Awaiting review"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    QUERIED = "queried", "Queried"
    ANSWERED = "answered", "Query answered"


class ReportRoute(models.TextChoices):
    """The code body whose reviewer receives a plan's reports."""

    BSC = "BSC", "BSC (Operational Support Managers)"
    REC = "REC", "REC (REC Code Manager)"


class Report(models.Model):
    """The participant's report for one period, immutable once submitted."""

    # One report per period, enforced by the database.
    period = models.OneToOneField(ReportingPeriod, on_delete=models.PROTECT, related_name="report")
    # Copied from the period so the review queues filter without a join.
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="reports")
    route = models.CharField(max_length=3, choices=ReportRoute.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    is_late = models.BooleanField(default=False)
    status = models.CharField(
        max_length=12, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED
    )
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["route", "status"], name="report_route_status")]

    def __str__(self):
        return f"Report on plan {self.plan_id} period {self.period_id}"

    @property
    def awaits_reviewer(self) -> bool:
        return self.status in (ReportStatus.SUBMITTED, ReportStatus.ANSWERED)


class RevisedDateDecision(models.TextChoices):
    PENDING = "pending", "Awaiting decision"
    ACCEPTED = "accepted", "Accepted"
    REFUSED = "refused", "Refused"


# Fields of a line the reviewer may still set after submission.
LINE_DECISION_FIELDS = frozenset(
    {"revised_date_decision", "revised_date_decided_by", "revised_date_decided_at"}
)


class ReportLine(models.Model):
    """A report's entry for one open item of the plan."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="report_lines")
    workaround_mitigates = models.BooleanField()
    evidence = models.TextField()
    fix_progress = models.TextField()
    confidence = models.CharField(max_length=6, choices=Rating.choices)
    # The item's agreed fix date never changes; a revision lives here with
    # its reason until the code body's reviewer accepts or refuses it.
    revised_fix_date = models.DateField(null=True, blank=True)
    revised_date_reason = models.TextField(blank=True)
    revised_date_decision = models.CharField(
        max_length=8, choices=RevisedDateDecision.choices, blank=True
    )
    revised_date_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revised_date_decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["report", "item__position", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "item"], name="report_line_item_unique"),
            models.CheckConstraint(
                name="revised_date_has_reason",
                condition=models.Q(revised_fix_date__isnull=True)
                | ~models.Q(revised_date_reason=""),
            ),
        ]

    def __str__(self):
        return f"Line for item {self.item_id} of report {self.report_id}"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self.pk is not None and not (
            update_fields and set(update_fields) <= LINE_DECISION_FIELDS
        ):
            raise ImmutableReportError("A submitted report line cannot be changed.")
        super().save(*args, **kwargs)


def evidence_upload_path(instance, filename):
    # A random name keeps the participant's file name off the file system;
    # the original name is stored on the row for the download.
    return f"reports/{instance.line.report.plan_id}/{instance.line.report_id}/{uuid.uuid4().hex}"


class ReportEvidence(models.Model):
    """A file attached to a report line, served only through the checked download view."""

    line = models.ForeignKey(ReportLine, on_delete=models.PROTECT, related_name="evidence_files")
    file = models.FileField(upload_to=evidence_upload_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.original_name


class ReportMessageKind(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", "Acknowledged"
    QUERY = "query", "Query"
    ANSWER = "answer", "Answer"


class ReportMessage(models.Model):
    """One step of the review conversation on a report."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=ReportMessageKind.choices)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.kind} on report {self.report_id}"


class ChaseKind(models.TextChoices):
    REMINDER = "reminder", "Reminder"
    OVERDUE = "overdue", "Overdue notice"
    SECOND = "second", "Second notice"
    ESCALATION = "escalation", "Escalation"


class ChaseNotice(models.Model):
    """A chase step taken for a period, at most one per (period, kind).

    The chase job inserts the row first, so the database decides which of two
    concurrent runs owns the step. The owner then sends the e-mail (and, for
    an escalation, escalates the plan) and sets `sent_at` in one transaction.
    """

    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=10, choices=ChaseKind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "kind"], name="chase_notice_once_per_kind"),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="chase_notice_unsent",
                condition=models.Q(sent_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"{self.kind} for period {self.period_id}"
