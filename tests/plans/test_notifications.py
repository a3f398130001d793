"""Who is e-mailed at each step, and that e-mails wait for the commit."""

import pytest
from django.core import mail
from django.db import transaction

from plans.models import Plan
from plans.services.notifications import send_email_on_commit
from tests.plans.lifecycle_support import *  # noqa: F403 - the clock and users fixtures
from tests.plans.lifecycle_support import agree_all, decide, import_sample, submit

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

    assert len(mail.outbox) == 4
    assert sorted({address for message in mail.outbox for address in message.to}) == sorted(
        {contact, "participant@example.org"}
    )
    returned = mail.outbox[-1]
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
    assert mail.outbox[0].subject == f"Testing Work Off Plan #{plan.pk} is now in monitoring"
