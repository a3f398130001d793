"""Short labels of the audit actions (PlanEvent.action) the escalation app writes."""

ACTION_LABELS = {
    "escalation.raised": "Escalated",
    "escalation.report_added": "Report added to the escalation",
    "escalation.periods_added": "Missed reports added to the escalation",
    "escalation.hearing_set": "BSC PAB hearing set",
    "escalation.referred_to_rec_pab": "Referred to the REC PAB",
    "escalation.presentation_uploaded": "Presentation uploaded",
    "escalation.presentation_replaced": "Presentation replaced",
    "escalation.returned_to_monitoring": "Returned to monitoring",
    "escalation.referred": "Referred under Performance Assurance",
    "escalation.compliance_recorded": "Compliant again; returned to monitoring",
}
