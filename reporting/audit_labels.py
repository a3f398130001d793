"""Short labels of the audit actions (PlanEvent.action) the reporting app writes."""

ACTION_LABELS = {
    "reporting.report_submitted": "Report submitted",
    "reporting.report_acknowledged": "Report acknowledged",
    "reporting.report_queried": "Report queried",
    "reporting.report_answered": "Report query answered",
    "reporting.revised_date_accepted": "Revised fix date accepted",
    "reporting.revised_date_refused": "Revised fix date refused",
    "demo.reporting_plan": "Demo reporting plan loaded",
}
