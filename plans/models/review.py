"""Records of the review: frozen versions, reviewers' decisions, PAB decisions.

Each row is written once by a lifecycle service, in the same transaction as
the state change it belongs to, and never changed or deleted afterwards.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from ..choices import UserRole
from .audit import ImmutableRecordError
from .plans import Plan


class ImmutableQuerySet(models.QuerySet):
    """Queryset that raises ImmutableRecordError on bulk update or delete.

    Rows therefore stay as they were written.
    """

    def update(self, **kwargs):
        raise ImmutableRecordError(f"{self.model.__name__} rows cannot be changed.")

    def delete(self):
        raise ImmutableRecordError(f"{self.model.__name__} rows cannot be deleted.")


class ImmutableRecord(models.Model):
    """Base of the review records: saved once, then never changed or deleted."""

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableRecordError(f"{type(self).__name__} rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError(f"{type(self).__name__} rows cannot be deleted.")


class PlanVersion(ImmutableRecord):
    """The plan and all its items as they were when the participant submitted them.

    `snapshot` contains {"plan": {field: value}, "items": [{field: value}, ...]}
    with dates as ISO text, built by `plans.services.versions.plan_snapshot`.
    """

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique"),
        ]

    def __str__(self):
        return f"plan {self.plan_id} version {self.number}"


class Decision(models.TextChoices):
    AGREE = "agree", "Agree"
    REQUEST_CHANGES = "request_changes", "Request changes"
    REJECT = "reject", "Reject"


class ReviewDecision(ImmutableRecord):
    """One required party's decision on one review round of a plan.

    The unique constraint on (plan, review_round, party) lets the database,
    not only the service, guarantee one decision per party per round.
    """

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="decisions")
    review_round = models.PositiveIntegerField()
    # The plan version the reviewer saw.
    version = models.PositiveIntegerField()
    party = models.CharField(max_length=16, choices=UserRole.choices)
    decision = models.CharField(max_length=16, choices=Decision.choices)
    comment = models.TextField(blank=True)
    # Ids of the items this party flagged under rule 7 (downstream impact on
    # other parties) and rule 8 (high-impact settlement risk). Every other
    # item of the plan counts as judged and not flagged by this decision.
    downstream_item_ids = models.JSONField(default=list, blank=True)
    settlement_risk_item_ids = models.JSONField(default=list, blank=True)
    # The QSP's risk rating of each item of a QAD plan, as this decision set
    # it: [{"item_id", "reference", "defect_number", "rating"}]. Empty for
    # every other party. Kept by reference so that a rating stays on record
    # after its item is removed.
    risk_ratings = models.JSONField(default=list, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "review_round", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "review_round", "party"], name="review_decision_one_per_party"
            ),
            models.CheckConstraint(
                name="review_decision_comment_unless_agree",
                condition=models.Q(decision=Decision.AGREE) | ~models.Q(comment=""),
            ),
        ]

    def __str__(self):
        return f"{self.party} {self.decision} on plan {self.plan_id} round {self.review_round}"


class PabOutcome(models.TextChoices):
    APPROVE = "approve", "Approve"
    REFUSE = "refuse", "Refuse"


class PabDecision(ImmutableRecord):
    """The PAB's approval or refusal of an agreed plan that impacts the BSC."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="pab_decisions")
    review_round = models.PositiveIntegerField()
    outcome = models.CharField(max_length=8, choices=PabOutcome.choices)
    meeting_date = models.DateField()
    # The PAB paper or minute reference, such as "PAB 287/04".
    reference = models.CharField(max_length=64, blank=True)
    comment = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "review_round"], name="pab_decision_one_per_round"
            ),
        ]

    def __str__(self):
        return f"PAB {self.outcome} on plan {self.plan_id} round {self.review_round}"


class PlanForReview(Plan):
    """A plan seen from the reviewers' queue in the admin.

    The proxy gives the queue its own admin page and permissions, apart from
    the administrators' plan admin.
    """

    class Meta:
        proxy = True
        verbose_name = "plan awaiting review"
        verbose_name_plural = "plans awaiting review"
