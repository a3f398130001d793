"""Who is e-mailed at each step, and that e-mails wait for the commit."""

import pytest
from django.core import mail
from django.db import transaction

from plans.choices import PlanKind, Route
from plans.models import Plan
from plans.services.notifications import send_email_on_commit
from tests.plans.lifecycle_support import *  # noqa: F403 - the clock and users fixtures
from tests.plans.lifecycle_support import agree_all, decide, import_sample, pab_approve, submit
from tests.plans.test_lifecycle_routes import make_draft

pytestmark = pytest.mark.django_db


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_submission_mails_each_required_party(users, django_capture_on_commit_callbacks):
    plan = import_sample("NWEL")
    with django_capture_on_commit_callbacks(execute=True):
        submit(plan, users["participant"])
    assert recipients() == [
        "dip@example.org",
        "elexon@example.org",
        "mhhsp@example.org",
        "reccm@example.org",
    ]
    assert mail.outbox[0].subject == f"NWEL SIT plan #{plan.pk} version 1 submitted for review"


def test_decision_mails_contact_and_organisation(users, django_capture_on_commit_callbacks):
    plan = import_sample("NWEL")
    submit(plan, users["participant"])
    contact = Plan.objects.get(pk=plan.pk).contact_email
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        decide(plan, users["mhhsp"], comment="Fine by the programme.")
        decide(plan, users["elexon"], "request_changes", comment="Give NWEL-WOP-005 a firm date.")

    participant_mails = [m for m in mail.outbox if "returned for changes" not in m.subject]
    assert len(participant_mails) == 4
    assert sorted({address for message in participant_mails for address in message.to}) == sorted(
        {contact, "participant@example.org"}
    )
    returned = participant_mails[-1]
    assert "requested changes" in returned.subject
    assert "Give NWEL-WOP-005 a firm date." in returned.body
    assert "Fine by the programme." in returned.body


def test_agreement_of_bsc_plan_mails_pab(users, django_capture_on_commit_callbacks):
    plan = import_sample("NWEL")
    submit(plan, users["participant"])
    agree_all(plan, users, ["mhhsp", "reccm", "dip"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        decide(plan, users["elexon"])

    pab_mails = [message for message in mail.outbox if message.to == ["pab@example.org"]]
    assert len(pab_mails) == 1
    assert "waiting for PAB approval" in pab_mails[0].subject


def test_refused_submission_sends_nothing(users, django_capture_on_commit_callbacks):
    plan = import_sample("ASHD")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Exception, match="ASHD-WOP-001"):
            submit(plan, users["participant2"])
    assert callbacks == []
    assert mail.outbox == []


def test_rollback_sends_nothing(users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            send_email_on_commit(
                to=["someone@example.org"],
                subject_template="emails/plans/monitoring_subject.txt",
                body_template="emails/plans/monitoring_body.txt",
                context={"plan": import_sample("NWEL")},
                plan_id=None,
            )
            raise RuntimeError("the change failed")
    assert callbacks == []
    assert mail.outbox == []


def test_send_email_on_commit_drops_blanks_and_repeats(users, django_capture_on_commit_callbacks):
    plan = import_sample("NWEL")
    with django_capture_on_commit_callbacks(execute=True):
        queued = send_email_on_commit(
            to=["a@example.org", "", " a@example.org ", "b@example.org"],
            subject_template="emails/plans/monitoring_subject.txt",
            body_template="emails/plans/monitoring_body.txt",
            context={"plan": plan},
            plan_id=plan.pk,
        )
    assert queued == ["a@example.org", "b@example.org"]
    assert recipients() == ["a@example.org", "b@example.org"]
    assert mail.outbox[0].subject == (
        f"NWEL · SIT Testing Work Off Plan (plan {plan.pk}) is now in monitoring"
    )


def recipients_of(words):
    """Return the sorted addresses of the e-mails whose subject contains `words`."""
    return sorted(address for m in mail.outbox if words in m.subject for address in m.to)


def test_return_mails_the_other_parties(users, django_capture_on_commit_callbacks):
    plan = submit(import_sample("NWEL"), users["participant"])
    decide(plan, users["mhhsp"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        decide(plan, users["elexon"], "request_changes", comment="Give NWEL-WOP-005 a date.")

    assert recipients_of("returned for changes") == [
        "dip@example.org",
        "mhhsp@example.org",
        "reccm@example.org",
    ]
    outcome = next(m for m in mail.outbox if "returned for changes" in m.subject)
    assert outcome.subject == (
        f"NWEL plan #{plan.pk} returned for changes (Elexon Qualification reviewer)"
    )
    assert "Give NWEL-WOP-005 a date." in outcome.body


def test_rejection_mails_the_other_parties(users, django_capture_on_commit_callbacks):
    plan = submit(import_sample("NWEL"), users["participant"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        decide(plan, users["dip"], "reject", comment="The DIP defects have no workaround.")

    assert recipients_of(f"plan #{plan.pk} rejected") == [
        "elexon@example.org",
        "mhhsp@example.org",
        "reccm@example.org",
    ]


def test_agreement_mails_the_other_parties(users, django_capture_on_commit_callbacks):
    plan = submit(import_sample("NWEL"), users["participant"])
    agree_all(plan, users, ["mhhsp", "reccm", "dip"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        decide(plan, users["elexon"])

    assert recipients_of("agreed by every required party") == [
        "dip@example.org",
        "mhhsp@example.org",
        "reccm@example.org",
    ]
    outcome = next(m for m in mail.outbox if "agreed by every required party" in m.subject)
    assert "waits for the PAB's approval" in outcome.body


def test_part_agreement_mails_no_reviewer(users, django_capture_on_commit_callbacks):
    plan = submit(import_sample("NWEL"), users["participant"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        decide(plan, users["mhhsp"])

    contact = Plan.objects.get(pk=plan.pk).contact_email
    assert recipients() == sorted([contact, "participant@example.org"])


def qt_plan(users, lead):
    """Return a submitted QT plan impacting only `lead`, whose reviewer alone must agree it."""
    plan = make_draft(
        users["participant"].organisation,
        users["participant"],
        route=Route.QT,
        kind=PlanKind.TESTING_WORK_OFF,
        code_bodies=[lead],
    )
    return submit(plan, users["participant"])


@pytest.mark.parametrize(
    ("lead", "reviewer", "report_reviewer"),
    [("REC", "reccm", "reccm@example.org"), ("DIP", "dip", "osm@example.org")],
)
def test_monitoring_mails_report_reviewers(
    users, django_capture_on_commit_callbacks, lead, reviewer, report_reviewer
):
    plan = qt_plan(users, lead)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        decide(plan, users[reviewer])

    plan = Plan.objects.get(pk=plan.pk)
    assert plan.state == "monitoring"
    assert recipients_of("its reports will come to you") == [report_reviewer]
    assert recipients_of("is now in monitoring") == sorted(
        [plan.contact_email, "participant@example.org"]
    )


def test_bsc_plan_monitoring_mails_osm(users, django_capture_on_commit_callbacks):
    plan = qt_plan(users, "BSC")
    decide(plan, users["elexon"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        pab_approve(plan, users["pab"])

    assert Plan.objects.get(pk=plan.pk).state == "monitoring"
    assert recipients_of("its reports will come to you") == ["osm@example.org"]
    message = next(m for m in mail.outbox if "its reports will come to you" in m.subject)
    assert "Operational Support Manager" in message.body
