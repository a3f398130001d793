"""The Celery application: `celery -A workoff worker` and `celery -A workoff beat`.

Every CELERY_* Django setting configures it (see workoff.settings.base). In the
demo and in tests CELERY_TASK_ALWAYS_EAGER is true, so `.delay()` runs the task
in the calling process and no worker is needed.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workoff.settings.base")

app = Celery("workoff")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Loads the tasks.py module of every installed app.
app.autodiscover_tasks()

# Periodic jobs run by `celery -A workoff beat`. The monitoring work adds its
# entries here (the report chase job among them), so that every scheduled job
# is declared in this one place. Crontab times are in CELERY_TIMEZONE
# (Europe/London unless overridden).
app.conf.beat_schedule = {
    # Chase due and late reports every day at 09:00 London time
    # (https://crontab.guru/#0_9_*_*_*). The schedule is code, so it is
    # reviewed and versioned with the job; a database scheduler could be
    # edited, disabled or re-enabled in production unseen. A run that beat
    # misses, or an extra run, is harmless: the job selects every period due
    # on or before its run time and not yet noticed, so the next run catches
    # up and a repeated run sends nothing twice.
    "chase-reports-daily": {
        "task": "reporting.tasks.chase_reports",
        "schedule": crontab(hour=9, minute=0),
    },
}
