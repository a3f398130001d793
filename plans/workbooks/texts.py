"""Fixed text of the two blank templates: banners, notes, sheet 1 and the guidance sheet.

Kept apart from the layout so the writer's code stays short; the wording is
that of template version 1.0.
"""

from plans.choices import PlanKind

# Row 1 (title) of sheets 1-5, in sheet order.
BANNERS = {
    PlanKind.TESTING_WORK_OFF: [
        "MHHS Testing Work Off Plan",
        "Participant Details",
        "Version Control",
        "Guidance - completing sheet '5. Testing Work Off Items'",
        "MHHS Testing Work Off Plan - Defect Items (SIT / QT)",
    ],
    PlanKind.QAD_ACTION: [
        "MHHS QAD Action Plan",
        "Participant Details",
        "Version Control",
        "Guidance - completing sheet '5. QAD Action Plan Items'",
        "MHHS QAD Action Plan - Action Items",
    ],
}

# Row 2 (one-line note) of sheets 1-5, in sheet order.
NOTES = {
    PlanKind.TESTING_WORK_OFF: [
        "Market-wide Half Hourly Settlement - read this sheet before completing the workbook.",
        "Complete column B. Labels in column A must not be changed.",
        "Add one row per submission of this plan, newest at the bottom.",
        "One row per column of sheet 5, in the same order (column A of sheet 5 first).",
        "One row per defect, starting at row 4. See sheet '4. Guidance' for each column. "
        "Do not insert, delete, rename or reorder columns. Dates as dd/mm/yyyy.",
    ],
    PlanKind.QAD_ACTION: [
        "Market-wide Half Hourly Settlement - read this sheet before completing the workbook.",
        "Complete column B. Labels in column A must not be changed.",
        "Add one row per submission of this plan, newest at the bottom.",
        "One row per column of sheet 5, in the same order (column A of sheet 5 first).",
        "One row per finding, starting at row 4. See sheet '4. Guidance' for each column. "
        "Do not insert, delete, rename or reorder columns. Dates as dd/mm/yyyy.",
    ],
}

# Sheet 1 rows 3-7 as (label, text); rows 8-9 hold Template Type and Version.
INTRODUCTION = {
    PlanKind.TESTING_WORK_OFF: [
        (
            "Purpose",
            "Records how a participant will work off defects that remain open at exit from "
            "System Integration Testing (SIT) or Qualification Testing (QT): the impact of "
            "each defect, any workaround, the proposed fix and retest, so that the Programme "
            "and the Code Bodies (BSC, REC, DIP) can decide whether the participant may "
            "proceed with those defects open.",
        ),
        (
            "Who completes it",
            "Participants exiting SIT or QT with open defects, of any market role (Supplier, "
            "LDSO, Data Service, Metering Service, UMSO).",
        ),
        (
            "How to complete",
            "Complete sheet 2 (Participant Details), add a row to sheet 3 (Version Control) "
            "for every submission, then enter one row per defect on sheet 5 following sheet "
            "4 (Guidance). Use the drop-down lists and enter dates as dates (dd/mm/yyyy).",
        ),
        (
            "How to submit",
            "Save as .xlsx and upload the workbook through the plan upload page. Do not "
            "rename, add, remove or reorder sheets or columns, and do not change the header "
            "row, or the upload will be rejected. Resubmit the whole workbook with a new "
            "Plan Version at each reporting interval.",
        ),
        (
            "Eligibility",
            "A plan is eligible only if: no item is S1 Critical or S2 Major; in a QAD Action "
            "Plan no item carries a High QSP risk rating; every item has a workaround that "
            "fully mitigates the defect and says how the participant will know it is "
            "working; every item has an expected fix date and an expected resolution date on "
            "or after it; and the plan names its lead code body and reporting interval. "
            "Reviewers also judge whether any item has downstream impact on other parties or "
            "is a high-impact Settlement risk.",
        ),
    ],
    PlanKind.QAD_ACTION: [
        (
            "Purpose",
            "Records the actions a participant will take to close findings raised by the "
            "Qualification Service Provider (QSP) on its QAD submission, with the QSP's risk "
            "rating for each finding, so that progress can be tracked to closure before and "
            "during migration.",
        ),
        (
            "Who completes it",
            "Participants with open QAD findings, of any market role (Supplier, LDSO, Data "
            "Service, Metering Service, UMSO).",
        ),
        (
            "How to complete",
            "Complete sheet 2 (Participant Details), add a row to sheet 3 (Version Control) "
            "for every submission, then enter one row per finding on sheet 5 following sheet "
            "4 (Guidance). Use the drop-down lists and enter dates as dates (dd/mm/yyyy).",
        ),
        (
            "How to submit",
            "Save as .xlsx and upload the workbook through the plan upload page. Do not "
            "rename, add, remove or reorder sheets or columns, and do not change the header "
            "row, or the upload will be rejected. Resubmit the whole workbook with a new "
            "Plan Version at each reporting interval.",
        ),
        (
            "Eligibility",
            "A plan is eligible only if: no item is S1 Critical or S2 Major; in a QAD Action "
            "Plan no item carries a High QSP risk rating; every item has a workaround that "
            "fully mitigates the defect and says how the participant will know it is "
            "working; every item has an expected fix date and an expected resolution date on "
            "or after it; and the plan names its lead code body and reporting interval. "
            "Reviewers also judge whether any item has downstream impact on other parties or "
            "is a high-impact Settlement risk.",
        ),
    ],
}

# Heights of sheet 1 rows 3-9, in points, so the wrapped text shows whole.
INTRODUCTION_ROW_HEIGHTS = {
    PlanKind.TESTING_WORK_OFF: [56.0, 30.0, 43.0, 43.0, 69.0, 17.0, 17.0],
    PlanKind.QAD_ACTION: [43.0, 30.0, 43.0, 43.0, 69.0, 17.0, 17.0],
}

# Sheet 4 from row 4 as (sheet-5 header, guidance), one per sheet-5 column.
GUIDANCE = {
    PlanKind.TESTING_WORK_OFF: [
        (
            "Reference",
            "Your own unique reference for this row, formed as <Participant ID>-WOP-nnn "
            "(e.g. NWEL-WOP-001). Keep the same reference for the same defect in every "
            "resubmission.",
        ),
        (
            "Defect Number",
            "The defect ID exactly as recorded in the Programme defect log for the test "
            "phase (e.g. SIT-DEF-2041 or QT-DEF-0318).",
        ),
        (
            "Severity",
            "Severity as agreed in the defect log. S1 Critical = a core business process "
            "cannot be completed and there is no workaround; S2 Major = a core process is "
            "significantly impaired and any workaround is difficult or partial; S3 Moderate "
            "= a process is affected but an acceptable workaround exists; S4 Minor = limited "
            "impact with a simple workaround; S5 Low = cosmetic or no operational impact. "
            "Plans containing S1 or S2 items are not eligible. Allowed values (drop-down): "
            "S1 Critical; S2 Major; S3 Moderate; S4 Minor; S5 Low.",
        ),
        (
            "Defect Status",
            "Current status of the defect at the submission date. Allowed values "
            "(drop-down): Open; In Progress; Fix Ready for Retest; Closed; Deferred.",
        ),
        (
            "Defect Title",
            "A short title (up to about 100 characters) that identifies the defect, naming "
            "the interface or process affected (e.g. 'IF-021 ...').",
        ),
        (
            "Description of defect",
            "What goes wrong, under which conditions, and how it was found. Name the "
            "interface messages, Settlement Periods or data items involved and the volume "
            "observed in testing.",
        ),
        (
            "Role (Supplier, Data Service etc.)",
            "The market role whose system or process holds the defect. Choose from the list; "
            "if none fits, choose Other and name the role in the description. Allowed values "
            "(drop-down): Supplier; LDSO; Smart Data Service; Advanced Data Service; "
            "Unmetered Supplies Data Service; Smart Metering Service; Advanced Metering "
            "Service; UMSO; Other.",
        ),
        (
            "Placing Reliance Implications",
            "Say whether, and for which areas, reliance can still be placed on your test "
            "evidence for Qualification, and what evidence must be re-provided.",
        ),
        (
            "Test Step Defect Relates to",
            "Test case ID and step number where the defect was raised (e.g. SIT-FT-CC-014 Step 6).",
        ),
        (
            "Business Requirement Reference for Defect Non-Compliance",
            "The business requirement reference(s) the defect fails to meet. Separate "
            "several references with a semicolon.",
        ),
        (
            "Impact of defect on live operations",
            "Impact if the defect were present in live operation: who is affected, how "
            "often, and the approximate volume (MPANs, messages, Settlement Periods).",
        ),
        (
            "Impact of defect on migration",
            "Impact on migration of MPANs to MHHS arrangements. Enter 'None' if there is no "
            "impact.",
        ),
        (
            "If Supplier, impact of defect on Supplier's migration schedules",
            "Suppliers only: effect on your planned migration start and cohorts. Other roles "
            "enter 'Not applicable (<role>)'.",
        ),
        (
            "Code Body Impacted",
            "The code(s) whose obligations the defect touches: BSC (Balancing and Settlement "
            "Code), REC (Retail Energy Code), DIP (Data Integration Platform) or a "
            "combination. Allowed values (drop-down): BSC; REC; DIP; BSC/REC; BSC/DIP; "
            "REC/DIP; BSC/REC/DIP.",
        ),
        (
            "Settlement and/or retail risk the defect maps to",
            "The Settlement risk and/or retail risk the defect creates, using the code "
            "body's risk wording and reference where known. Enter 'None identified' if there "
            "is none.",
        ),
        (
            "Workaround description",
            "The workaround in place now: what is done, by whom and how often. Enter 'None' "
            "if there is no workaround.",
        ),
        (
            "Does workaround fully mitigate defect?",
            "Yes only if the workaround removes all live, migration and Settlement impact "
            "described above; otherwise No. Enter No if there is no workaround. Allowed "
            "values (drop-down): Yes; No.",
        ),
        (
            "How will you know that the workaround is working?",
            "The check, report or control that shows the workaround is working, and how "
            "often it is reviewed.",
        ),
        (
            "Description of proposed fix",
            "The permanent fix: system or process change, release vehicle and any data "
            "correction needed.",
        ),
        (
            "Does fix fully mitigate defect?",
            "Yes if the fix removes the defect and its effects (including any data "
            "clean-up); otherwise No, and explain the remainder in the fix description. "
            "Allowed values (drop-down): Yes; No.",
        ),
        (
            "Expected fix date?",
            "Date the fix will be deployed to the environment where it will be retested. "
            "Enter a real date, displayed as dd/mm/yyyy (e.g. 26/02/2027); do not type text "
            "such as 'TBC' or 'Q1 2027'.",
        ),
        (
            "Expected resolution date?",
            "Date the defect is expected to be closed, i.e. fix retested and evidence "
            "accepted. Must be on or after the expected fix date. Enter a real date, "
            "displayed as dd/mm/yyyy (e.g. 26/02/2027); do not type text such as 'TBC' or "
            "'Q1 2027'.",
        ),
        (
            "Is fix date prior to migration start?",
            "Yes if the expected fix date is before your migration start date (for "
            "Suppliers, your first migration cohort); otherwise No. Allowed values "
            "(drop-down): Yes; No.",
        ),
        (
            "Confidence level on meeting fix date",
            "High = fix built or in test; Medium = fix designed and scheduled; Low = fix not "
            "yet designed or dependent on a third party. Allowed values (drop-down): High; "
            "Medium; Low.",
        ),
        (
            "Proposed retest model",
            "How the fix will be retested and evidenced: e.g. participant-led retest with "
            "evidence pack, Programme-witnessed retest, regression retest, or evidence "
            "review only.",
        ),
    ],
    PlanKind.QAD_ACTION: [
        (
            "Reference",
            "Your own unique reference for this row, formed as <Participant ID>-QAP-nnn "
            "(e.g. BWDS-QAP-001). Keep it unchanged across resubmissions.",
        ),
        (
            "Defect Number",
            "The finding ID exactly as issued by the Qualification Service Provider in the "
            "QAD feedback (e.g. QAD-F-014).",
        ),
        (
            "Severity",
            "Severity, where the finding has been assigned one. S1 Critical = a core "
            "business process cannot be completed and there is no workaround; S2 Major = a "
            "core process is significantly impaired and any workaround is difficult or "
            "partial; S3 Moderate = a process is affected but an acceptable workaround "
            "exists; S4 Minor = limited impact with a simple workaround; S5 Low = cosmetic "
            "or no operational impact. Leave blank if the QSP has set a risk rating only "
            "(see QSP Risk Rating). Allowed values (drop-down): S1 Critical; S2 Major; S3 "
            "Moderate; S4 Minor; S5 Low.",
        ),
        (
            "Defect Status",
            "Current status of the defect at the submission date. Allowed values "
            "(drop-down): Open; In Progress; Fix Ready for Retest; Closed; Deferred.",
        ),
        (
            "Defect Title",
            "A short title (up to about 100 characters) that identifies the defect, naming "
            "the interface or process affected (e.g. 'IF-021 ...').",
        ),
        (
            "Description of defect",
            "What goes wrong, under which conditions, and how it was found. Name the "
            "interface messages, Settlement Periods or data items involved and the volume "
            "observed in testing.",
        ),
        (
            "Role (Supplier, Data Service etc.)",
            "The market role whose system or process holds the defect. Choose from the list; "
            "if none fits, choose Other and name the role in the description. Allowed values "
            "(drop-down): Supplier; LDSO; Smart Data Service; Advanced Data Service; "
            "Unmetered Supplies Data Service; Smart Metering Service; Advanced Metering "
            "Service; UMSO; Other.",
        ),
        (
            "Placing Reliance Implications",
            "Say whether, and for which areas, reliance can still be placed on your test "
            "evidence for Qualification, and what evidence must be re-provided.",
        ),
        (
            "Test Step Defect Relates to",
            "The QAD section and evidence item the finding relates to (e.g. QAD section 4.3, "
            "evidence item E-4.3.2).",
        ),
        (
            "Business Requirement Reference for Defect Non-Compliance",
            "The business requirement reference(s) the defect fails to meet. Separate "
            "several references with a semicolon.",
        ),
        (
            "Impact of defect on live operations",
            "Impact if the defect were present in live operation: who is affected, how "
            "often, and the approximate volume (MPANs, messages, Settlement Periods).",
        ),
        (
            "Impact of defect on migration",
            "Impact on migration of MPANs to MHHS arrangements. Enter 'None' if there is no "
            "impact.",
        ),
        (
            "If Supplier, impact of defect on Supplier's migration schedules",
            "Suppliers only: effect on your planned migration start and cohorts. Other roles "
            "enter 'Not applicable (<role>)'.",
        ),
        (
            "Code Body Impacted",
            "The code(s) whose obligations the defect touches: BSC (Balancing and Settlement "
            "Code), REC (Retail Energy Code), DIP (Data Integration Platform) or a "
            "combination. Allowed values (drop-down): BSC; REC; DIP; BSC/REC; BSC/DIP; "
            "REC/DIP; BSC/REC/DIP.",
        ),
        (
            "Settlement and/or retail risk the defect maps to",
            "The Settlement risk and/or retail risk the defect creates, using the code "
            "body's risk wording and reference where known. Enter 'None identified' if there "
            "is none.",
        ),
        (
            "Workaround description",
            "The workaround in place now: what is done, by whom and how often. Enter 'None' "
            "if there is no workaround.",
        ),
        (
            "Does workaround fully mitigate defect?",
            "Yes only if the workaround removes all live, migration and Settlement impact "
            "described above; otherwise No. Enter No if there is no workaround. Allowed "
            "values (drop-down): Yes; No.",
        ),
        (
            "How will you know that the workaround is working?",
            "The check, report or control that shows the workaround is working, and how "
            "often it is reviewed.",
        ),
        (
            "Description of proposed fix",
            "The permanent fix: system or process change, release vehicle and any data "
            "correction needed.",
        ),
        (
            "Does fix fully mitigate defect?",
            "Yes if the fix removes the defect and its effects (including any data "
            "clean-up); otherwise No, and explain the remainder in the fix description. "
            "Allowed values (drop-down): Yes; No.",
        ),
        (
            "Expected fix date?",
            "Date the fix will be deployed to the environment where it will be retested. "
            "Enter a real date, displayed as dd/mm/yyyy (e.g. 26/02/2027); do not type text "
            "such as 'TBC' or 'Q1 2027'.",
        ),
        (
            "Expected resolution date?",
            "Date the defect is expected to be closed, i.e. fix retested and evidence "
            "accepted. Must be on or after the expected fix date. Enter a real date, "
            "displayed as dd/mm/yyyy (e.g. 26/02/2027); do not type text such as 'TBC' or "
            "'Q1 2027'.",
        ),
        (
            "Is fix date prior to migration start?",
            "Yes if the expected fix date is before your migration start date (for "
            "Suppliers, your first migration cohort); otherwise No. Allowed values "
            "(drop-down): Yes; No.",
        ),
        (
            "Confidence level on meeting fix date",
            "High = fix built or in test; Medium = fix designed and scheduled; Low = fix not "
            "yet designed or dependent on a third party. Allowed values (drop-down): High; "
            "Medium; Low.",
        ),
        (
            "Proposed retest model",
            "How the fix will be retested and evidenced: e.g. participant-led retest with "
            "evidence pack, Programme-witnessed retest, regression retest, or evidence "
            "review only.",
        ),
        (
            "QSP Risk Rating",
            "The risk rating set by the Qualification Service Provider for this finding. "
            "Copy it from the QAD feedback; do not change it. Allowed values (drop-down): "
            "High; Medium; Low.",
        ),
    ],
}

# Heights of sheet 4 rows from row 4, in points.
GUIDANCE_ROW_HEIGHTS = {
    PlanKind.TESTING_WORK_OFF: [
        30.0,
        30.0,
        69.0,
        30.0,
        30.0,
        30.0,
        56.0,
        30.0,
        17.0,
        30.0,
        30.0,
        17.0,
        30.0,
        43.0,
        30.0,
        30.0,
        30.0,
        30.0,
        17.0,
        30.0,
        30.0,
        43.0,
        30.0,
        30.0,
        30.0,
    ],
    PlanKind.QAD_ACTION: [
        30.0,
        30.0,
        82.0,
        30.0,
        30.0,
        30.0,
        56.0,
        30.0,
        17.0,
        30.0,
        30.0,
        17.0,
        30.0,
        43.0,
        30.0,
        30.0,
        30.0,
        30.0,
        17.0,
        30.0,
        30.0,
        43.0,
        30.0,
        30.0,
        30.0,
        30.0,
    ],
}
