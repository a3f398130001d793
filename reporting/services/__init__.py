"""Reporting services. `schedule_start` is called by the lifecycle on entry to monitoring."""

from .chase import ChaseDeliveryFailed, ChaseResult, chase_run
from .reports import (
    LineInput,
    ReportChanged,
    open_items,
    report_acknowledge,
    report_answer,
    report_line_decide,
    report_query,
    report_route_for,
    report_submit,
)
from .schedule import periods_excuse_unreported, schedule_extend, schedule_start

__all__ = [
    "ChaseDeliveryFailed",
    "ChaseResult",
    "LineInput",
    "ReportChanged",
    "chase_run",
    "open_items",
    "periods_excuse_unreported",
    "report_acknowledge",
    "report_answer",
    "report_line_decide",
    "report_query",
    "report_route_for",
    "report_submit",
    "schedule_extend",
    "schedule_start",
]
