from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from ..choices import CodeBody, PlanKind, PlanState, ReportingInterval, Route
from ..fields import CodeBodiesField
from .organisations import Organisation

S = PlanState


class PlanQuerySet(models.QuerySet):
    def for_organisation(self, organisation):
        return self.filter(organisation=organisation)

    def impacting(self, code_body: str):
        return self.filter(code_bodies__contains=code_body)


class Plan(ConcurrentTransitionMixin, models.Model):
    """A Testing Work Off Plan or QAD Action Plan, as its participant keeps it.

    The fields mirror sheet 2 of the template. `state` is protected: only the
    transition methods below change it, and only the services in
    `plans.services` call them, inside a transaction that also writes the
    audit trail. Transition methods touch the state and its timestamps only.
    """

    kind = models.CharField(max_length=20, choices=PlanKind.choices)
    route = models.CharField(max_length=3, choices=Route.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="plans")
    # As the workbook names them. The organisation record is the authority.
    participant_name = models.CharField(max_length=200, blank=True)
    participant_role = models.CharField(max_length=100, blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    submission_date = models.DateField(null=True, blank=True)
    # The participant's own version label from the workbook, such as "1.1".
    plan_version = models.CharField(max_length=32, blank=True)
    lead_code_body = models.CharField(max_length=3, choices=CodeBody.choices, null=True, blank=True)
    # Union of the items' code bodies, kept by the item services so that
    # review queues can filter on it.
    code_bodies = CodeBodiesField()
    reporting_interval = models.CharField(
        max_length=12, choices=ReportingInterval.choices, null=True, blank=True
    )
    template_version = models.CharField(max_length=16, blank=True)
    # Rows of sheet 3: [{"version", "date" (ISO), "author", "change_detail"}].
    version_history = models.JSONField(default=list, blank=True)

    # The product's version number: 1 until the first return, then one more
    # for each round of changes. Submission freezes it as a PlanVersion.
    version = models.PositiveIntegerField(default=1)
    # Number of review rounds. Each decision belongs to one round, and a PAB
    # refusal or a resubmission starts a new one.
    review_round = models.PositiveIntegerField(default=0)
    # Not editable: no ModelForm or admin form may offer the state.
    state = FSMField(
        default=S.DRAFT, choices=S.choices, protected=True, db_index=True, editable=False
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    monitoring_started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def name(self) -> str:
        """Readable name of the plan without its version: "NWEL · SIT Testing Work Off Plan"."""
        kind = self.get_kind_display()
        if self.kind != PlanKind.QAD_ACTION:
            # A QAD Action Plan always has the QAD route, which its name already contains.
            kind = f"{self.route} {kind}"
        return f"{self.organisation.participant_id} · {kind}"

    @property
    def title(self) -> str:
        """The plan's name with its version, such as "NWEL · SIT Testing Work Off Plan · v1".

        The number is the product's version, not the participant's own label.
        Two plans of one participant can share a title, so lists show the
        plan number beside it.
        """
        return f"{self.name} · v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.state in (S.DRAFT, S.RETURNED)

    @property
    def impacts_bsc(self) -> bool:
        return CodeBody.BSC in self.code_bodies

    # Transitions. Role checks and data guards live in the services, which
    # know the actor; these methods only move the state.

    @transition(field=state, source=[S.DRAFT, S.RETURNED], target=S.SUBMITTED)
    def submit(self):
        self.submitted_at = timezone.now()
        self.review_round += 1

    @transition(field=state, source=[S.DRAFT, S.SUBMITTED, S.RETURNED], target=S.WITHDRAWN)
    def withdraw(self):
        pass

    @transition(field=state, source=S.SUBMITTED, target=S.RETURNED)
    def return_for_changes(self):
        self.version += 1

    @transition(field=state, source=S.SUBMITTED, target=S.REJECTED)
    def reject(self):
        pass

    @transition(field=state, source=S.SUBMITTED, target=S.AGREED)
    def agree(self):
        self.agreed_at = timezone.now()

    @transition(field=state, source=S.AGREED, target=S.PAB_APPROVED)
    def pab_approve(self):
        pass

    @transition(field=state, source=S.AGREED, target=S.SUBMITTED)
    def pab_refuse(self):
        self.review_round += 1

    @transition(field=state, source=[S.AGREED, S.PAB_APPROVED], target=S.MONITORING)
    def start_monitoring(self):
        self.monitoring_started_at = timezone.now()

    @transition(field=state, source=S.MONITORING, target=S.ESCALATED)
    def escalate(self):
        pass

    @transition(field=state, source=S.ESCALATED, target=S.MONITORING)
    def return_to_monitoring(self):
        pass

    @transition(field=state, source=S.MONITORING, target=S.CLOSURE_REQUESTED)
    def request_closure(self):
        pass

    @transition(field=state, source=S.CLOSURE_REQUESTED, target=S.MONITORING)
    def refuse_closure(self):
        pass

    @transition(field=state, source=S.CLOSURE_REQUESTED, target=S.CLOSED)
    def close(self):
        self.closed_at = timezone.now()
