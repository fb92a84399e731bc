"""The demo's 2016 polls state the reference results F12-F14 through the members' ballots."""

import io

from django.core.management import call_command

from thidua.audit.models import AuditEntry
from thidua.voting.demo import elected
from thidua.voting.models import Poll, VoterRegister


def test_demo_polls_state_the_flag_certificates_head_and_deputy(db):
    # One test, because playing the demo is slow.
    call_command("load_demo", stdout=io.StringIO())
    polls = {p.purpose: p for p in Poll.objects.filter(year__year=2016)}

    assert elected(polls["flag"]) == ["Sở Kế hoạch và Đầu tư tỉnh Sơn La"]  # F12
    assert sorted(elected(polls["certificate"])) == [  # F13
        "Sở Kế hoạch và Đầu tư tỉnh Cao Bằng",
        "Sở Kế hoạch và Đầu tư tỉnh Hà Giang",
    ]
    assert elected(polls["head"]) == ["Sở Kế hoạch và Đầu tư tỉnh Lào Cai"]  # F14
    assert elected(polls["deputy"]) == ["Sở Kế hoạch và Đầu tư tỉnh Hà Giang"]  # F14

    # Each of the seven leaders cast every ballot through the action.
    for poll in polls.values():
        assert poll.status == Poll.Status.CLOSED
        assert VoterRegister.objects.filter(poll=poll).count() == 7
        assert poll.ballots.count() == 7
    votes = AuditEntry.objects.filter(action="poll.vote").select_related("actor")
    assert votes.count() == 28
    assert all(entry.actor is not None and entry.actor.is_leader for entry in votes)
