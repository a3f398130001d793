"""Eligibility rules 1-8 on plain plans and items."""

from dataclasses import replace
from datetime import date
from types import SimpleNamespace

import pytest

from plans.eligibility import evaluate
from plans.imports import ParsedItem, ParsedPlan

AS_OF = date(2026, 12, 4)


def good_item(**changes) -> ParsedItem:
    item = ParsedItem(
        reference="NWEL-WOP-001",
        defect_number="SIT-DEF-2041",
        severity="S3",
        defect_status="Open",
        defect_title="Title",
        workaround_description="Manual reconciliation each day.",
        workaround_fully_mitigates=True,
        workaround_monitoring="Daily report shows zero mismatches.",
        expected_fix_date=date(2027, 1, 29),
        expected_resolution_date=date(2027, 2, 26),
        code_bodies=["BSC"],
        row=4,
    )
    return replace(item, **changes)


def good_plan(kind="testing_work_off", **changes) -> ParsedPlan:
    plan = ParsedPlan(
        kind=kind,
        route="QAD" if kind == "qad_action" else "SIT",
        participant_id="NWEL",
        lead_code_body="BSC",
        reporting_interval="fortnightly",
    )
    return replace(plan, **changes)


def judge(items, plan=None):
    return evaluate(plan or good_plan(), items, as_of=AS_OF)


def reasons(result, rule):
    return [f.reason for f in result.failures if f.rule == rule]


def test_good_plan_eligible():
    result = judge([good_item()])
    assert result.eligible is True
    assert result.failures == []
    assert result.submission_blockers == []


@pytest.mark.parametrize(("severity", "label"), [("S1", "S1 Critical"), ("S2", "S2 Major")])
def test_rule_1_fails_on_severe(severity, label):
    result = judge([good_item(severity=severity)])
    assert result.eligible is False
    assert reasons(result, 1) == [f"NWEL-WOP-001 is {label}"]
    assert result.failures[0].item == "NWEL-WOP-001"


@pytest.mark.parametrize("severity", ["S3", "S4", "S5"])
def test_rule_1_passes_on_moderate_and_below(severity):
    assert reasons(judge([good_item(severity=severity)]), 1) == []


def test_rule_1_missing_severity_fails():
    assert reasons(judge([good_item(severity=None)]), 1) == ["NWEL-WOP-001 has no severity"]


def test_rule_1_missing_severity_allowed_for_qad():
    plan = good_plan("qad_action")
    result = judge([good_item(severity=None, risk_rating="Low")], plan)
    assert result.eligible is True


def test_rule_2_high_risk_fails_for_qad():
    plan = good_plan("qad_action")
    result = judge([good_item(risk_rating="High")], plan)
    assert reasons(result, 2) == ["NWEL-WOP-001 is rated High risk by the QSP"]


@pytest.mark.parametrize("rating", ["Medium", "Low"])
def test_rule_2_passes_medium_and_low(rating):
    assert judge([good_item(risk_rating=rating)], good_plan("qad_action")).eligible is True


def test_rule_2_missing_rating_fails_for_qad():
    result = judge([good_item(risk_rating=None)], good_plan("qad_action"))
    assert reasons(result, 2) == ["NWEL-WOP-001 has no QSP risk rating"]


def test_rule_2_ignores_rating_on_work_off_plan():
    assert judge([good_item(risk_rating="High")]).eligible is True


def test_rule_3_workaround_not_mitigating():
    result = judge([good_item(workaround_fully_mitigates=False)])
    assert reasons(result, 3) == [
        "NWEL-WOP-001's workaround does not fully mitigate the defect (answer: No)"
    ]


@pytest.mark.parametrize("text", ["", "None", " n/a ", "None."])
def test_rule_3_no_workaround(text):
    result = judge([good_item(workaround_description=text)])
    assert reasons(result, 3) == ["NWEL-WOP-001 has no workaround"]


def test_rule_3_unanswered_mitigation():
    result = judge([good_item(workaround_fully_mitigates=None)])
    assert len(reasons(result, 3)) == 1
    assert result.eligible is False


@pytest.mark.parametrize("text", ["", "none"])
def test_rule_4_no_monitoring(text):
    result = judge([good_item(workaround_monitoring=text)])
    assert reasons(result, 4) == [
        "NWEL-WOP-001 does not say how you will know the workaround is working"
    ]


def test_rule_5_missing_dates():
    result = judge([good_item(expected_fix_date=None, expected_resolution_date=None)])
    assert reasons(result, 5) == [
        "NWEL-WOP-001 has no expected fix date",
        "NWEL-WOP-001 has no expected resolution date",
    ]


def test_rule_5_resolution_before_fix():
    item = good_item(expected_fix_date=date(2027, 3, 1), expected_resolution_date=date(2027, 2, 1))
    assert reasons(judge([item]), 5) == [
        "NWEL-WOP-001's expected resolution date 01/02/2027 is before its expected fix date "
        "01/03/2027"
    ]


def test_rule_5_same_day_passes():
    item = good_item(expected_fix_date=date(2027, 3, 1), expected_resolution_date=date(2027, 3, 1))
    assert judge([item]).eligible is True


def test_rule_5_past_fix_date():
    item = good_item(expected_fix_date=date(2026, 12, 3))
    assert reasons(judge([item]), 5) == [
        "NWEL-WOP-001's expected fix date 03/12/2026 is before 04/12/2026"
    ]


def test_rule_5_as_of_day_itself_passes():
    item = good_item(expected_fix_date=AS_OF, expected_resolution_date=AS_OF)
    assert judge([item]).eligible is True


def test_rule_5_uses_as_of():
    item = good_item()
    assert evaluate(good_plan(), [item], as_of=date(2027, 2, 1)).failing_rules == [5]


def test_rule_6_missing_interval_is_plan_level():
    result = judge([good_item()], good_plan(reporting_interval=None))
    assert [(f.rule, f.item) for f in result.failures] == [(6, None)]
    assert result.failures[0].reason == "The plan does not name a reporting interval"


def test_rule_6_missing_lead_code_body():
    result = judge([good_item()], good_plan(lead_code_body=None))
    assert reasons(result, 6) == ["The plan does not name a lead code body"]


def test_rules_7_and_8_pending_by_default():
    result = judge([good_item()])
    assert result.eligible is True
    assert [(f.rule, f.item) for f in result.awaiting_review] == [
        (7, "NWEL-WOP-001"),
        (8, "NWEL-WOP-001"),
    ]


def test_rule_7_downstream_impact_fails():
    item = SimpleNamespace(**vars(good_item()), has_downstream_impact=True)
    result = judge([item])
    assert reasons(result, 7) == ["NWEL-WOP-001 has downstream impact on other parties"]
    assert result.submission_blockers == []
    assert [f.rule for f in result.awaiting_review] == [8]


def test_rule_8_high_settlement_risk_fails():
    item = SimpleNamespace(**vars(good_item()), is_high_settlement_risk=True)
    assert reasons(judge([item]), 8) == ["NWEL-WOP-001 is a high-impact settlement risk"]


def test_rules_7_and_8_judged_false_pass():
    item = SimpleNamespace(
        **vars(good_item()), has_downstream_impact=False, is_high_settlement_risk=False
    )
    result = judge([item])
    assert result.eligible is True
    assert result.awaiting_review == []


def test_no_items_blocks_submission():
    result = judge([])
    assert result.eligible is False
    assert result.failures == []
    assert [(f.rule, f.reason) for f in result.submission_blockers] == [
        (None, "The plan has no items")
    ]


def test_duplicate_defect_number_blocks_submission():
    second = good_item(reference="NWEL-WOP-002", row=5)
    result = judge([good_item(), second])
    assert result.eligible is False
    assert result.as_dict()["other_blockers"] == [
        {"rule": None, "item": "NWEL-WOP-002", "reason": result.other_blockers[0].reason}
    ]
    assert [(f.rule, f.item) for f in result.submission_blockers] == [(None, "NWEL-WOP-002")]
    assert "SIT-DEF-2041" in result.submission_blockers[0].reason


def test_failures_ordered_by_rule_and_named():
    item = good_item(severity="S2", workaround_fully_mitigates=False)
    result = judge([item])
    assert result.failing_rules == [1, 3]
    assert [f.rule for f in result.failures] == [1, 3]


def test_as_dict_is_json_ready():
    data = judge([good_item(severity="S1")]).as_dict()
    assert data["eligible"] is False
    assert data["failures"] == [
        {"rule": 1, "item": "NWEL-WOP-001", "reason": "NWEL-WOP-001 is S1 Critical"}
    ]
    assert data["failing_rules"] == [1]


def test_missing_attributes_count_as_none():
    plan = SimpleNamespace(kind="testing_work_off", lead_code_body="BSC")
    item = SimpleNamespace(reference="X-1", severity="S4")
    result = evaluate(plan, [item], as_of=AS_OF)
    assert result.failing_rules == [3, 4, 5, 6]
    assert {f.rule for f in result.awaiting_review} == {7, 8}
