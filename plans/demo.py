"""Demo organisations, users and draft plans for a first look at the product.

Every loader is idempotent: running it again creates nothing new and leaves
what is there unchanged, apart from resetting the demo users' password.
"""

import hashlib
import logging
from pathlib import Path

from django.db import transaction

from .choices import UserRole
from .models import Organisation, UploadedWorkbook, User
from .services.imports import plan_import_workbook

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "demo"
DEMO_DATA_DIR = Path(__file__).resolve().parent / "demo_data"

# (participant ID, name, market roles), as the sample workbooks name them.
ORGANISATIONS = (
    ("NWEL", "Northwind Energy Ltd", ["Supplier"]),
    ("ASHD", "Ashgrove Distribution plc", ["LDSO"]),
    ("BWDS", "Brightwater Data Services Ltd", ["Smart Data Service"]),
)

# (username, role, participant ID or None, first name, last name).
USERS = (
    ("participant", UserRole.PARTICIPANT, "NWEL", "Priya", "Shah"),
    ("participant2", UserRole.PARTICIPANT, "ASHD", "Owen", "Griffiths"),
    ("participant3", UserRole.PARTICIPANT, "BWDS", "Hannah", "Moore"),
    ("mhhsp", UserRole.MHHSP, None, "Marcus", "Reid"),
    ("elexon", UserRole.ELEXON, None, "Elena", "Novak"),
    ("reccm", UserRole.RECCM, None, "Rachel", "Carter"),
    ("dip", UserRole.DIP, None, "Daniel", "Ibe"),
    ("qsp", UserRole.QSP, None, "Quentin", "Shaw"),
    ("osm", UserRole.OSM, None, "Olivia", "Stone"),
    ("pab", UserRole.PAB, None, "Patrick", "Byrne"),
    ("recpab", UserRole.REC_PAB, None, "Rhiannon", "Pugh"),
    ("admin", UserRole.ADMIN, None, "Ada", "Morgan"),
)

# (sample workbook file, participant ID of the organisation it belongs to).
SAMPLE_PLANS = (
    ("sit_supplier_plan.xlsx", "NWEL"),
    ("qt_ldso_plan.xlsx", "ASHD"),
    ("qad_agent_action_plan.xlsx", "BWDS"),
)


@transaction.atomic
def load_base() -> dict:
    """Create the demo organisations and users; return how many of each were new."""
    created = {"organisations": 0, "users": 0}
    organisations = {}
    for participant_id, name, roles in ORGANISATIONS:
        organisation, is_new = Organisation.objects.get_or_create(
            participant_id=participant_id, defaults={"name": name, "roles": roles}
        )
        organisations[participant_id] = organisation
        created["organisations"] += is_new

    for username, role, participant_id, first_name, last_name in USERS:
        user, is_new = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "organisation": organisations[participant_id] if participant_id else None,
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@example.org",
                # Reviewers use the admin's review queue; participants never reach the admin.
                "is_staff": role != UserRole.PARTICIPANT,
                "is_superuser": role == UserRole.ADMIN,
            },
        )
        if is_new or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        created["users"] += is_new
    logger.info(
        "demo base loaded organisations_created=%s users_created=%s",
        created["organisations"],
        created["users"],
    )
    return created


def load_sample_plans() -> list:
    """Import each sample workbook as a draft plan of its organisation, once.

    A sample counts as loaded when its organisation already has an upload
    with the same SHA-256. Returns the plans created by this call.
    """
    created = []
    for filename, participant_id in SAMPLE_PLANS:
        data = (DEMO_DATA_DIR / filename).read_bytes()
        organisation = Organisation.objects.get(participant_id=participant_id)
        sha256 = hashlib.sha256(data).hexdigest()
        if UploadedWorkbook.objects.filter(organisation=organisation, sha256=sha256).exists():
            continue
        actor = (
            User.objects.filter(role=UserRole.PARTICIPANT, organisation=organisation)
            .order_by("pk")
            .first()
        )
        result = plan_import_workbook(
            data=data, filename=filename, actor=actor, organisation=organisation
        )
        if not result.ok:
            messages = "; ".join(error.message for error in result.errors)
            raise RuntimeError(f"Sample workbook {filename} was rejected: {messages}")
        created.append(result.plan)
    logger.info("demo sample plans loaded plans_created=%s", len(created))
    return created
