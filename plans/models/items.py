from django.db import models

from ..choices import DefectStatus, Rating, Severity
from ..fields import CodeBodiesField
from .plans import Plan


class Item(models.Model):
    """One row of the template's items sheet: a defect or QAD finding.

    Every column of the template is a typed field here, named as in the JSON
    import report. The two reviewer judgements are None until a reviewer
    sets them.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)

    reference = models.CharField(max_length=64)
    defect_number = models.CharField(max_length=64)
    # QAD findings may have no severity.
    severity = models.CharField(max_length=2, choices=Severity.choices, null=True, blank=True)
    defect_status = models.CharField(max_length=24, choices=DefectStatus.choices)
    defect_title = models.TextField()
    description = models.TextField()
    role = models.CharField(max_length=200)
    placing_reliance_implications = models.TextField()
    test_step = models.TextField()
    business_requirement_reference = models.TextField()
    impact_live_operations = models.TextField()
    impact_migration = models.TextField()
    impact_supplier_migration_schedules = models.TextField(blank=True)
    code_bodies = CodeBodiesField(blank=False)
    settlement_retail_risk = models.TextField()
    workaround_description = models.TextField()
    workaround_fully_mitigates = models.BooleanField(null=True)
    workaround_monitoring = models.TextField(
        help_text="How will you know that the workaround is working?"
    )
    proposed_fix = models.TextField()
    fix_fully_mitigates = models.BooleanField(null=True)
    expected_fix_date = models.DateField(null=True)
    expected_resolution_date = models.DateField(null=True)
    fix_before_migration = models.BooleanField(null=True)
    confidence = models.CharField(max_length=6, choices=Rating.choices, null=True)
    proposed_retest_model = models.TextField()
    risk_rating = models.CharField(
        max_length=6, choices=Rating.choices, null=True, blank=True, help_text="QSP risk rating"
    )

    has_downstream_impact = models.BooleanField(null=True, blank=True)
    is_high_settlement_risk = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "defect_number"], name="item_defect_number_unique_in_plan"
            ),
            models.UniqueConstraint(
                fields=["plan", "reference"], name="item_reference_unique_in_plan"
            ),
        ]

    def __str__(self):
        return f"{self.reference} ({self.defect_number})"
