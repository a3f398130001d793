"""Demo plans at each step of review, built through the real services.

`load()` runs after `plans.demo.load_base` and `load_sample_plans`, which
leave the three sample plans as drafts (the QT sample is ineligible, so it
shows the blocking reasons). This loader imports the samples again under
demo file names and takes each through the lifecycle as the demo users:

- submitted, agreed by the MHHS Programme and the REC Code Manager so far;
- returned, with the comments of the round;
- agreed by every party and waiting for the PAB;
- approved by the PAB and in monitoring.

A demo plan counts as present when its organisation has an upload of that
file name, so running the loader again creates nothing.
"""

import datetime
import logging

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from .demo import DEMO_DATA_DIR
from .models import Organisation, UploadedWorkbook, User
from .services.imports import plan_import_workbook
from .services.lifecycle import plan_decide, plan_pab_decide, plan_submit

logger = logging.getLogger(__name__)

# The samples' fix dates start in January 2027; judging rule 5 on a day no
# later than this keeps the demo loadable after those dates pass.
LATEST_JUDGING_DAY = datetime.date(2027, 1, 4)

# (demo file name, sample workbook, participant ID, steps as (username, decision, comment)).
SCENARIOS = (
    (
        "demo-part-agreed-sit.xlsx",
        "sit_supplier_plan.xlsx",
        "NWEL",
        [
            ("mhhsp", "agree", "Defects and workarounds match the SIT exit report."),
            ("reccm", "agree", ""),
        ],
    ),
    (
        "demo-returned-sit.xlsx",
        "sit_supplier_plan.xlsx",
        "NWEL",
        [
            ("mhhsp", "agree", "Content is fine from the programme's side."),
            (
                "elexon",
                "request_changes",
                "NWEL-WOP-003: the fix lands after migration start at Low confidence. "
                "Give a firmer date or a contingency before we can agree.",
            ),
        ],
    ),
    (
        "demo-awaiting-pab-qad.xlsx",
        "qad_agent_action_plan.xlsx",
        "BWDS",
        [
            ("qsp", "agree", ""),
            ("elexon", "agree", ""),
            ("reccm", "agree", ""),
            ("dip", "agree", ""),
        ],
    ),
    (
        "demo-monitoring-sit.xlsx",
        "sit_supplier_plan.xlsx",
        "NWEL",
        [
            ("mhhsp", "agree", ""),
            ("elexon", "agree", "Agreed for the BSC; Elexon will present the plan to the PAB."),
            ("reccm", "agree", ""),
            ("dip", "agree", ""),
            ("pab", "approve", "Approved with fortnightly reporting."),
        ],
    ),
)


def _run_scenario(filename, sample, participant_id, steps, users) -> bool:
    organisation = Organisation.objects.get(participant_id=participant_id)
    if UploadedWorkbook.objects.filter(organisation=organisation, original_name=filename).exists():
        return False
    participant = organisation.users.order_by("pk").first()
    result = plan_import_workbook(
        data=(DEMO_DATA_DIR / sample).read_bytes(),
        filename=filename,
        actor=participant,
        organisation=organisation,
    )
    if not result.ok:
        raise RuntimeError(f"Demo workbook {sample} was rejected: {result.errors}")
    plan = result.plan
    as_of = min(timezone.localdate(), LATEST_JUDGING_DAY)
    plan_submit(plan_id=plan.pk, actor=participant, as_of=as_of)

    for username, decision, comment in steps:
        if decision == "approve":
            plan_pab_decide(
                plan_id=plan.pk,
                actor=users[username],
                outcome="approve",
                meeting_date=timezone.localdate(),
                reference="PAB 301/07",
                comment=comment,
            )
        else:
            plan_decide(plan_id=plan.pk, actor=users[username], decision=decision, comment=comment)
    logger.info("demo lifecycle plan loaded plan_id=%s file=%s", plan.pk, filename)
    return True


# The demo's e-mails would fill the console; they are kept in memory instead.
@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def load() -> int:
    """Create the demo plans that are missing; return how many were created."""
    users = {user.username: user for user in User.objects.all()}
    created = 0
    for filename, sample, participant_id, steps in SCENARIOS:
        with transaction.atomic():
            created += _run_scenario(filename, sample, participant_id, steps, users)
    logger.info("demo lifecycle loaded plans_created=%s", created)
    return created
