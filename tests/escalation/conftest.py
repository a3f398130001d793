import datetime as dt

import pytest
import time_machine

from plans.choices import CodeBody, Route
from tests.reporting.support import load_users, make_plan

START = dt.datetime(2027, 1, 8, 10, 0, tzinfo=dt.UTC)
# Period 1 (due Friday 15 January 17:00) is late; period 2 is open.
NOW = dt.datetime(2027, 1, 16, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def users(db, clock):
    return load_users()


@pytest.fixture
def bsc_plan(users):
    return make_plan(participant_id="NWEL", lead=CodeBody.BSC, started_at=START)


@pytest.fixture
def rec_plan(users):
    return make_plan(participant_id="ASHD", lead=CodeBody.REC, route=Route.QT, started_at=START)
