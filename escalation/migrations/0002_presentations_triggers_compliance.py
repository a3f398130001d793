import hashlib

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import escalation.models


def copy_presentations(apps, schema_editor):
    """Keep each hearing's uploaded presentation as its first Presentation row."""
    Hearing = apps.get_model("escalation", "Hearing")
    Presentation = apps.get_model("escalation", "Presentation")
    for hearing in Hearing.objects.exclude(presentation="").exclude(presentation__isnull=True):
        digest, size = "", 0
        try:
            with hearing.presentation.open("rb") as stored:
                checksum = hashlib.sha256()
                for chunk in stored.chunks():
                    checksum.update(chunk)
                    size += len(chunk)
                digest = checksum.hexdigest()
        except OSError:
            # A file missing from storage keeps its row, without a checksum.
            size = 0
        Presentation.objects.create(
            hearing=hearing,
            file=hearing.presentation.name,
            original_name=hearing.presentation_name or "presentation",
            size=size,
            sha256=digest,
            uploaded_by_id=hearing.presentation_uploaded_by_id or hearing.set_by_id,
            uploaded_at=hearing.presentation_uploaded_at or hearing.set_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0001_initial"),
        ("plans", "0005_review_decision_flagged_items"),
        ("reporting", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Presentation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        max_length=255, upload_to=escalation.models.presentation_upload_path
                    ),
                ),
                ("original_name", models.CharField(max_length=255)),
                ("size", models.PositiveIntegerField()),
                ("sha256", models.CharField(blank=True, max_length=64)),
                ("uploaded_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "ordering": ["uploaded_at", "id"],
            },
        ),
        migrations.AddField(
            model_name="presentation",
            name="hearing",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="presentations",
                to="escalation.hearing",
            ),
        ),
        migrations.AddField(
            model_name="presentation",
            name="uploaded_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(copy_presentations, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="escalation",
            name="one_open_escalation_per_plan",
        ),
        migrations.RemoveField(
            model_name="hearing",
            name="presentation",
        ),
        migrations.RemoveField(
            model_name="hearing",
            name="presentation_name",
        ),
        migrations.RemoveField(
            model_name="hearing",
            name="presentation_uploaded_at",
        ),
        migrations.RemoveField(
            model_name="hearing",
            name="presentation_uploaded_by",
        ),
        migrations.AddField(
            model_name="escalation",
            name="compliance_comment",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="escalation",
            name="compliance_recorded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="escalation",
            name="compliance_recorded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="escalation",
            name="trigger",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name="escalation",
            name="status",
            field=models.CharField(
                choices=[
                    ("raised", "Raised"),
                    ("hearing_set", "PAB hearing set"),
                    ("with_rec_pab", "Referred to the REC PAB"),
                    ("returned", "Returned to monitoring"),
                    ("referred", "Referred under Performance Assurance"),
                    ("compliant", "Compliant again after referral"),
                ],
                default="raised",
                max_length=12,
            ),
        ),
        migrations.AddConstraint(
            model_name="escalation",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("status__in", ("raised", "hearing_set", "with_rec_pab", "referred"))
                ),
                fields=("plan",),
                name="one_active_escalation_per_plan",
            ),
        ),
    ]
