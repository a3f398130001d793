"""Models of the plans app, one module per concept."""

from .audit import ImmutableRecordError, PlanEvent
from .items import Item
from .organisations import Organisation, User
from .plans import Plan
from .review import (
    Decision,
    PabDecision,
    PabOutcome,
    PlanForReview,
    PlanVersion,
    ReviewDecision,
)
from .workbooks import UploadedWorkbook

__all__ = [
    "ImmutableRecordError",
    "Decision",
    "Item",
    "Organisation",
    "PabDecision",
    "PabOutcome",
    "Plan",
    "PlanEvent",
    "PlanForReview",
    "PlanVersion",
    "ReviewDecision",
    "UploadedWorkbook",
    "User",
]
