from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Upper

from ..choices import UserRole


class Organisation(models.Model):
    """A market participant that owns plans: a Supplier, LDSO, agent or MEM."""

    name = models.CharField(max_length=200)
    participant_id = models.CharField(max_length=32, unique=True)
    # Market roles the participant holds, e.g. ["Supplier"]; free text
    # because the template's role drop-down accepts other values.
    roles = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # The admin form stores ids in upper case; this also stops "nwel"
            # beside "NWEL" written any other way.
            models.UniqueConstraint(
                Upper("participant_id"),
                name="organisation_participant_id_unique_any_case",
                violation_error_message="Another organisation has this participant ID.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.participant_id})"


class User(AbstractUser):
    """A person with exactly one role; participant users belong to one organisation."""

    role = models.CharField(max_length=16, choices=UserRole.choices, default=UserRole.PARTICIPANT)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="participant_user_has_organisation",
                condition=~models.Q(role=UserRole.PARTICIPANT)
                | models.Q(organisation__isnull=False),
                violation_error_message="A participant user must belong to an organisation.",
            ),
        ]

    @property
    def is_participant(self) -> bool:
        return self.role == UserRole.PARTICIPANT
