"""Demo data from ../shared/seeds: Barnsley's 2018 and 2023 inspections, its January 2023 focused visit,
and Barnet's care-leavers monitoring visit.

Where the seed material is verbatim (the focused-visit letter, the press release's areas for
improvement, the September 2023 judgements), it is used as published. Where the seeds are silent
(the 2018 report's improvement points and exact dates, the Barnet visit's dates), the text is
illustrative and says so in the headline.
"""

from datetime import date

BARNSLEY_FOCUSED_VISIT_2023 = {
    "authority": "Barnsley",
    "kind": "focused_visit",
    "visit_start": date(2023, 1, 25),
    "visit_end": date(2023, 1, 26),
    "published_on": date(2023, 3, 1),
    "inspectors": ["Claire Beckingham", "Anna Gravelle"],
    "focus_area": "care_leavers",
    "headline": (
        "Workforce challenges and workload pressures since Barnsley's last inspection in 2018 have weakened "
        "the quality and impact of frontline practice. The service keeps in touch with care leavers. However, "
        "the approach is often piecemeal, with young people visited by a number of different social workers "
        "and personal advisers, making it harder for care leavers to sustain the meaningful relationships they "
        "need to have with trusted adults to support their transition to adulthood."
    ),
    "judgements": [],
    "findings": [
        ("Earlier opportunities for care leavers to build supportive relationships with consistent personal advisers.", "pathway-plans-and-care-leavers", None),
        ("Workload capacity and management oversight of support for care leavers.", "workforce-and-caseloads", 1),
        ("Needs assessments and pathway plans, including regular review when young people's circumstances change.", "pathway-plans-and-care-leavers", 0),
        ("The integrity of performance data used across children's services.", "performance-data", None),
        ("The regularity and impact of quality assurance activity.", "quality-assurance-and-audit", 2),
    ],
}

BARNSLEY_INSPECTION_2018 = {
    "authority": "Barnsley",
    "kind": "full_inspection",
    "visit_start": date(2018, 3, 19),
    "visit_end": date(2018, 3, 29),
    "published_on": None,
    "inspectors": ["Lead inspector (illustrative)"],
    "focus_area": "",
    "headline": (
        "Demo record: all areas were judged good in Barnsley's 2018 full inspection (seed news). The dates and "
        "improvement points below are illustrative; the seed material does not reproduce the 2018 report."
    ),
    "judgements": [
        ("overall_effectiveness", "good"),
        ("impact_of_leaders", "good"),
        ("help_and_protection", "good"),
        ("children_in_care_and_care_leavers", "good"),
    ],
    "findings": [
        ("The quality and timeliness of pathway plans for care leavers.", "pathway-plans-and-care-leavers", None),
        ("The consistency of management oversight and reflective supervision.", "management-oversight-and-supervision", None),
        ("The use of audit findings to improve the quality of practice.", "quality-assurance-and-audit", None),
    ],
}

BARNSLEY_INSPECTION_2023 = {
    "authority": "Barnsley",
    "kind": "short_inspection",
    "visit_start": date(2023, 9, 11),
    "visit_end": date(2023, 9, 15),
    "published_on": date(2023, 10, 27),
    "inspectors": ["Anna Gravelle"],
    "focus_area": "",
    "headline": (
        "Barnsley's children's services are good. A high turnover of staff, managers and senior leaders, as well "
        "as increased service demand, has resulted in the slight decline in the quality of some services "
        "provided to children living in Barnsley in need of help and protection. The experiences and progress "
        "of care leavers have markedly improved since the focused visit earlier this year."
    ),
    "judgements": [
        ("overall_effectiveness", "good"),
        ("impact_of_leaders", "good"),
        ("help_and_protection", "requires_improvement"),
        ("children_in_care", "good"),
        ("care_leavers", "good"),
    ],
    "findings": [
        ("The engagement of multi-agency partners, including in key decision-making meetings for children in need of help and protection, and the quality of referrals they make to children’s social care.", "multi-agency-working", None),
        ("The quality of recorded management direction to social workers at the point of referral and within screening.", "management-oversight-and-supervision", 1),
        ("The identification and response to children who live in private fostering arrangements.", "front-door-and-early-help", None),
        ("The record of achievements and targets within personal education plans.", "education-and-health", None),
    ],
}

BARNET_MONITORING_VISIT = {
    "authority": "Barnet",
    "kind": "monitoring_visit",
    "visit_start": date(2019, 1, 15),
    "visit_end": date(2019, 1, 16),
    "published_on": date(2019, 2, 12),
    "inspectors": ["Helen Marchant", "David Okafor"],
    "focus_area": "care_leavers",
    "headline": (
        "The sixth monitoring visit since the local authority was judged inadequate in July 2017, on the "
        "'onwards and upwards' service for care leavers. The quality of social work practice is improving "
        "steadily; there is more work to do to improve pathway planning, managerial oversight and supervision "
        "to ensure practice is consistent for all young people. (Demo record: visit dates and inspectors are illustrative, as in the synthetic letter under tests/importing/corpus/synthetic/.)"
    ),
    "judgements": [],
    "findings": [
        ("Transition planning for children in care into independence.", "pathway-plans-and-care-leavers", None),
        ("Management oversight and supervision that is consistent, reflective and regular.", "management-oversight-and-supervision", None),
        ("The quality of written pathway plans and needs assessments, including the voice and views of young people.", "pathway-plans-and-care-leavers", None),
    ],
}

# (finding index, title, owner, due in days, status, rag, progress note). The owner is a key of DEMO_OWNERS.
# The due date counts from the visit's letter for a finished action, from today for an open one (so the
# demo always has some overdue and some due soon). "sent_back": marked complete, then sent back by the
# senior leader for more evidence, and in progress again.
BARNSLEY_2023_FOCUSED_ACTIONS = [
    (0, "Allocate a personal adviser from age 16", "dwalker", 120, "closed", "green", "Personal advisers now allocated at 16; audit of 40 cases confirms."),
    (0, "Recruit four additional personal advisers", "dwalker", 180, "complete", "green", "All four posts filled by September 2023."),
    (1, "Cap personal adviser caseloads at 20", "pmorgan", 150, "closed", "green", "Average caseload down from 27 to 19; monthly report to the improvement board."),
    (1, "Monthly management oversight audit of care-leaver cases", "pmorgan", 40, "sent_back", "amber", "Audit tool agreed; the first three months' audits show oversight recorded on 70% of cases."),
    (2, "Pathway plan template and review triggers", "lead", 240, "closed", "green", "New template live; reviews triggered on change of circumstances."),
    (2, "Review all out-of-date pathway plans", "lead", -40, "in_progress", "red", "Backlog of 35 plans reduced to 12."),
    (2, "Health assessments for care leavers before they turn 18", "jcarter", -12, "in_progress", "red", "Clinic slots doubled; 14 of 20 young people seen."),
    (3, "Data integrity checks on the new case record system", "ahussain", -10, "blocked", "red", "Waiting for supplier fix to the pathway plan report."),
    (3, "Weekly performance data quality report to senior leaders", "ahussain", 30, "not_started", "green", ""),
    (4, "Restart the quality assurance cycle in the care-leaver service", "pmorgan", 90, "closed", "green", "Cycle running since April 2023."),
]

BARNSLEY_2023_INSPECTION_ACTIONS = [
    (0, "Multi-agency referral quality workshop with police and health", "lead", -20, "in_progress", "red", "Two of three workshops held."),
    (0, "Partner attendance tracked at strategy meetings", "partner", 45, "not_started", "green", ""),
    (0, "Police attend every strategy discussion for a child at risk", "mkhan", -6, "in_progress", "red", "Attendance at 85% in the last quarter; rota agreed with the public protection unit."),
    (1, "Management direction recorded on every referral in the front door", "pmorgan", 14, "in_progress", "amber", "Dip sample shows 78% of referrals with direction recorded."),
    (2, "Private fostering awareness campaign and notification route", "dwalker", 150, "closed", "green", "Campaign run in schools and GP surgeries; notifications up from 3 to 9 a year."),
    (2, "Private fostering notifications checked within seven days", "dwalker", 210, "closed", "green", "All 9 notifications this year checked within seven days."),
    (3, "Personal education plan targets reviewed with the virtual school", "hshaw", -5, "sent_back", "red", "Targets reviewed for 60 of 84 children."),
]

BARNET_ACTIONS = [
    (0, "Independence skills plan for every young person from 16", "barnet-lead", 60, "in_progress", "amber", ""),
    (1, "Supervision schedule with monthly compliance report", "ljones", -15, "in_progress", "red", "Compliance at 81% in the last month."),
    (2, "Pathway plan quality audit with young people's views", "barnet-lead", 30, "not_started", "green", ""),
]

# Who the plans name (actions.Owner): key, council, name, job title, organisation, email, account (a username
# of DEMO_USERS, or None for someone who never signs in). Reminders reach those with an email address.
DEMO_OWNERS = [
    ("lead", "Barnsley", "Lee Lead", "Improvement lead", "Barnsley Council", "lead@example.org", "lead"),
    ("dwalker", "Barnsley", "Dana Walker", "Head of service, care leavers", "Barnsley Council", "dwalker@example.org", "dwalker"),
    ("pmorgan", "Barnsley", "Priya Morgan", "Service manager, front door", "Barnsley Council", "pmorgan@example.org", "pmorgan"),
    ("ahussain", "Barnsley", "Amir Hussain", "Performance and data manager", "Barnsley Council", "ahussain@example.org", "ahussain"),
    ("partner", "Barnsley", "Pat Partner", "Safeguarding lead", "NHS South Yorkshire", "partner@example.org", "partner"),
    ("jcarter", "Barnsley", "Jo Carter", "Designated nurse for children in care", "NHS South Yorkshire", "jo.carter@example.org", None),
    ("mkhan", "Barnsley", "Mo Khan", "Detective inspector, public protection", "South Yorkshire Police", "", None),
    ("hshaw", "Barnsley", "Helen Shaw", "Virtual school head", "Barnsley Council", "helen.shaw@example.org", None),
    ("barnet-lead", "Barnet", "Bea Barnet", "Improvement lead", "Barnet Council", "barnet-lead@example.org", "barnet-lead"),
    ("ljones", "Barnet", "Lou Jones", "Leaving care team manager", "Barnet Council", "", None),
]

# Monthly-style progress notes on open actions, from the first step to now (the last a few days ago).
PROGRESS_NOTES = [
    "Reviewed at the improvement board; on track against the plan.",
    "Dip sample of ten cases completed; findings shared with team managers.",
    "Staffing gap covered by an agency worker while recruitment completes.",
    "Progress discussed in supervision; next audit booked.",
    "Figures for the quarter reported to the senior leadership team.",
]

# When Barnsley sent its plans to Ofsted: working days after the letter (70 for the plan, 20 for a draft).
PLAN_SENT_WORKING_DAYS = {"focused_visit": (64, None), "short_inspection": (66, None)}

DEMO_PASSWORD = "tracker-demo-2026"

# The demo admin and partner have an authenticator app with this key, so the demo works when two-factor is
# required (TWO_FACTOR_REQUIRED=true): `load_demo` prints it to add to an app, and tests compute codes from it.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"
DEMO_TOTP_USERS = ("admin", "partner")

DEMO_USERS = [
    # username, role, first, last, authorities, is_staff
    ("admin", "Admin", "Ada", "Admin", ["Barnsley", "Barnet"], True),
    ("lead", "Improvement lead", "Lee", "Lead", ["Barnsley"], False),
    ("leader", "Senior leader", "Sam", "Leader", ["Barnsley"], False),
    ("viewer", "Viewer", "Val", "Viewer", ["Barnsley"], False),
    ("barnet-lead", "Improvement lead", "Bea", "Barnet", ["Barnet"], False),
    # A partner agency's officer (health): sees and updates only the actions assigned to them.
    ("partner", "Partner", "Pat", "Partner (NHS South Yorkshire)", ["Barnsley"], False),
    ("dwalker", "Improvement lead", "Dana", "Walker", ["Barnsley"], False),
    ("pmorgan", "Improvement lead", "Priya", "Morgan", ["Barnsley"], False),
    ("ahussain", "Improvement lead", "Amir", "Hussain", ["Barnsley"], False),
]
