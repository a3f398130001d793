"""Models of the plans app, one module per concept."""

from .audit import ImmutableRecordError, PlanEvent
from .items import Item
from .organisations import Organisation, User
from .plans import Plan
from .workbooks import UploadedWorkbook

__all__ = [
    "ImmutableRecordError",
    "Item",
    "Organisation",
    "Plan",
    "PlanEvent",
    "UploadedWorkbook",
    "User",
]
