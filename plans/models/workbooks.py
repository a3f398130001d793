from django.conf import settings
from django.db import models
from django.utils import timezone

from .organisations import Organisation
from .plans import Plan


def workbook_upload_path(instance, filename):
    # The stored name is the checksum, so a participant's file name never
    # reaches the file system.
    return f"workbooks/{instance.organisation.participant_id}/{instance.sha256}.xlsx"


class UploadedWorkbook(models.Model):
    """A workbook a participant uploaded, kept byte for byte as evidence."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="workbooks")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=workbook_upload_path)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField()
    template_version = models.CharField(max_length=16, blank=True)
    plan_version_number = models.PositiveIntegerField(default=1)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.original_name} ({self.sha256[:12]})"
