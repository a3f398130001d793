from django.conf import settings
from django.db import models
from django.utils import timezone

from .plans import Plan


class ImmutableRecordError(Exception):
    """Raised when code tries to change or delete an audit record."""


class PlanEvent(models.Model):
    """One entry of a plan's audit trail: a transition or a decision.

    Rows are written by services in the same transaction as the change they
    record, and are never changed or deleted afterwards. `actor` is empty for
    changes made by scheduled jobs.
    """

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="events")
    # Namespaced code such as "plans.submitted" or "escalation.raised".
    action = models.CharField(max_length=64)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.action} on plan {self.plan_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableRecordError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError("Audit entries cannot be deleted.")
