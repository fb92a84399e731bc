"""The domain's clock: real time, or the moment a block sets (the demo's past year)."""

import datetime as dt

import pytest
from django.utils import timezone

from thidua.lib import clock

VN = dt.timezone(dt.timedelta(hours=7))


def test_the_clock_is_real_time_unless_a_moment_is_set() -> None:
    before = timezone.now()
    assert before <= clock.now() <= timezone.now()
    moment = dt.datetime(2016, 3, 18, 23, 30, tzinfo=VN)
    with clock.at(moment):
        assert clock.now() == moment and clock.now().utcoffset() == dt.timedelta(0)
        assert clock.today() == dt.date(2016, 3, 18)  # in the site's zone, Asia/Ho_Chi_Minh
        with clock.at(moment + dt.timedelta(days=1)):
            assert clock.today() == dt.date(2016, 3, 19)
        assert clock.now() == moment
    assert clock.now().year > 2016


def test_a_naive_moment_is_refused() -> None:
    naive = dt.datetime(2016, 3, 18)  # noqa: DTZ001  (the mistake under test)
    with pytest.raises(ValueError), clock.at(naive):
        pass
