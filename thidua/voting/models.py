"""Polls, their candidates, the secret ballots and the register of who has voted.

Secrecy is built into the tables. Who has voted is kept in `VoterRegister`, which holds only
the poll and the unit. While a poll is open its ballots are `SealedBallot`s: encrypted under a
key the database does not hold, all of one length. At the close they are opened and written
out as `Ballot`s and `BallotChoice`s in a random order, with random keys, in the close's own
transaction, and published as the poll's `PublishedBox`; so neither the order of the rows,
nor their keys, nor the transaction that wrote them follows the order of casting.
SECRECY.md in this app states what is and is not protected.
"""

from __future__ import annotations

import uuid
from fractions import Fraction

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from thidua.cycle.models import EmulationYear
from thidua.orgs.models import Organization

TITLE_MAX_LENGTH = 300
PERSON_NAME_MAX_LENGTH = 200


class Poll(models.Model):
    """One secret vote of the cluster's members; its settings are fixed once it opens."""

    class Purpose(models.TextChoices):
        FLAG = "flag", _("Emulation flag")
        CERTIFICATE = "certificate", _("Certificate of merit")
        HEAD = "head", _("Next year's cluster head")
        DEPUTY = "deputy", _("Next year's cluster deputy")
        OTHER = "other", _("Other")

    class Method(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper ballots")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Base(models.TextChoices):
        CAST = "cast", _("of the ballots cast")
        ENTITLED = "entitled", _("of the members entitled to vote")

    class TieRule(models.TextChoices):
        RUNOFF = "runoff", _("A runoff round among the tied candidates")
        ORDER_OF_LIST = "order_of_list", _("The candidate earlier on the list wins")

    class Disclosure(models.TextChoices):
        FULL = "full", _("Full counts")
        OUTCOME_ONLY = "outcome_only", _("Passed or not passed only")

    class NextRound(models.TextChoices):
        NONE = "none", _("No further round: the seats stay empty")
        LEADING = "leading", _("A new round between the leading candidates")

    year = models.ForeignKey(EmulationYear, on_delete=models.PROTECT, related_name="polls")
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    method = models.CharField(
        _("voting method"), max_length=10, choices=Method.choices, default=Method.ONLINE
    )
    max_choices = models.PositiveSmallIntegerField(_("choices per ballot"), default=1)
    seats = models.PositiveSmallIntegerField(
        _("seats"),
        null=True,
        blank=True,
        help_text=_("Empty: every candidate over the threshold wins."),
    )
    allow_self_vote = models.BooleanField(_("a unit may choose itself"), default=False)
    threshold_base = models.CharField(
        _("threshold base"), max_length=10, choices=Base.choices, default=Base.CAST
    )
    threshold_numerator = models.PositiveSmallIntegerField(default=1)
    threshold_denominator = models.PositiveSmallIntegerField(default=2)
    strict = models.BooleanField(_("more than the threshold"), default=True)
    tie_rule = models.CharField(
        _("on a tie"), max_length=16, choices=TieRule.choices, default=TieRule.RUNOFF
    )
    disclosure = models.CharField(
        _("what the results show"),
        max_length=16,
        choices=Disclosure.choices,
        default=Disclosure.FULL,
    )
    next_round = models.CharField(
        _("when nobody reaches the threshold"),
        max_length=10,
        choices=NextRound.choices,
        default=NextRound.NONE,
    )
    next_round_size = models.PositiveSmallIntegerField(_("candidates in the new round"), default=2)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    closes_at = models.DateTimeField(_("scheduled close"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Members entitled to vote, frozen when the poll opens.
    entitled = models.PositiveSmallIntegerField(
        _("members entitled to vote"), null=True, blank=True
    )
    parent = models.OneToOneField(
        "self",
        verbose_name=_("runoff of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="runoff",
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering = ["year", "purpose", "round", "id"]
        constraints = [
            models.CheckConstraint(
                name="poll_max_choices_positive", condition=Q(max_choices__gte=1)
            ),
            models.CheckConstraint(
                name="poll_seats_positive", condition=Q(seats__isnull=True) | Q(seats__gte=1)
            ),
            models.CheckConstraint(
                name="poll_threshold_in_range",
                condition=Q(threshold_numerator__gte=1)
                & Q(threshold_numerator__lte=F("threshold_denominator")),
            ),
            models.CheckConstraint(
                name="poll_open_has_its_frozen_facts",
                condition=Q(status="draft")
                | (Q(opened_at__isnull=False) & Q(entitled__isnull=False)),
            ),
            models.CheckConstraint(
                name="poll_closed_has_closing_time",
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
            ),
            models.CheckConstraint(
                name="poll_runoff_has_a_later_round",
                condition=(Q(parent__isnull=True) & Q(round=1))
                | (Q(parent__isnull=False) & Q(round__gte=2)),
            ),
            models.CheckConstraint(
                name="poll_next_round_between_several",
                condition=Q(next_round_size__gte=2),
            ),
            models.CheckConstraint(
                name="poll_single_seat_purposes",
                condition=~Q(purpose__in=["flag", "head", "deputy"]) | Q(seats=1),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def threshold(self) -> Fraction:
        return Fraction(self.threshold_numerator, self.threshold_denominator)

    @property
    def is_paper(self) -> bool:
        return self.method == self.Method.PAPER


class Candidate(models.Model):
    """One entry of a poll's list: a member unit, or a person (with the unit they belong to)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="candidates")
    position = models.PositiveSmallIntegerField(_("position on the list"))
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    person_name = models.CharField(_("person"), max_length=PERSON_NAME_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["poll", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "position"], name="one_candidate_per_list_position"
            ),
            models.UniqueConstraint(
                fields=["poll", "organization"],
                condition=Q(person_name=""),
                name="one_candidacy_per_unit_per_poll",
            ),
            models.CheckConstraint(
                name="candidate_is_a_unit_or_a_person",
                condition=Q(organization__isnull=False) | ~Q(person_name=""),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.person_name:
            if self.organization is not None:
                return f"{self.person_name} ({self.organization.display_name})"
            return self.person_name
        assert self.organization is not None
        return self.organization.name


class SealedBallot(models.Model):
    """A ballot of an open poll: its receipt's hash and choices, padded and encrypted.

    Written in the transaction that registers the vote, so it can be paired with its register
    row; what it holds cannot be read without the server's secret key. The close opens and
    deletes every sealed ballot of the poll.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="sealed_ballots")
    sealed = models.BinaryField()

    class Meta:
        verbose_name = _("sealed ballot")
        verbose_name_plural = _("sealed ballots")

    def __str__(self) -> str:
        return str(_("Sealed ballot"))


class Ballot(models.Model):
    """One counted ballot: a random key, the poll and the hash of the voter's receipt.

    Written only by the close, all of a poll's at once and in a random order. No voter, no
    time, no autoincrement key and no default ordering: nothing in a row says who cast it or
    when, nor which ballot came before which.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="ballots")
    receipt_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")

    def __str__(self) -> str:
        return str(_("Secret ballot"))


class BallotChoice(models.Model):
    """One candidate chosen on a ballot; a blank ballot has none."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="choices")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("choice on a ballot")
        verbose_name_plural = _("choices on ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "candidate"], name="one_choice_per_candidate_per_ballot"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Choice on a secret ballot"))


class PublishedBox(models.Model):
    """A closed online poll's ballot box as published: each ballot's choices and receipt hash.

    Fixed at the close, with the rules, the result and the SHA-256 digest of the whole
    (`box.document`); the results page shows the digest and, when the poll discloses full
    counts, offers the box for anyone entitled to recount with `thidua recount`.
    """

    poll = models.OneToOneField(Poll, on_delete=models.PROTECT, related_name="published_box")
    digest = models.CharField(_("digest"), max_length=64)
    content = models.TextField(_("content"))

    class Meta:
        verbose_name = _("published ballot box")
        verbose_name_plural = _("published ballot boxes")

    def __str__(self) -> str:
        return str(_("Ballot box of %(poll)s") % {"poll": self.poll.title})


class VoterRegister(models.Model):
    """That a member unit has voted in a poll, and nothing about how."""

    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="register")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("register entry")
        verbose_name_plural = _("voter register")
        ordering = ["poll", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "organization"], name="one_ballot_per_unit_per_poll"
            ),
        ]

    def __str__(self) -> str:
        return str(
            _("%(unit)s has voted in %(poll)s")
            % {"unit": self.organization.display_name, "poll": self.poll.title}
        )


class PaperCount(models.Model):
    """The counts read from a paper poll's ballots: entered by one person, confirmed by another."""

    poll = models.OneToOneField(Poll, on_delete=models.PROTECT, related_name="paper_count")
    ballots_cast = models.PositiveSmallIntegerField(_("ballots cast"))
    blank_ballots = models.PositiveSmallIntegerField(_("blank ballots"), default=0)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("paper count")
        verbose_name_plural = _("paper counts")
        constraints = [
            models.CheckConstraint(
                name="paper_blank_within_cast", condition=Q(blank_ballots__lte=F("ballots_cast"))
            ),
            models.CheckConstraint(
                name="paper_confirmed_by_another_person",
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=F("entered_by")),
            ),
            models.CheckConstraint(
                name="paper_confirmation_has_a_time",
                condition=Q(confirmed_by__isnull=True) | Q(confirmed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Paper count of %(poll)s") % {"poll": self.poll.title})

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_by_id is not None


class PaperCountLine(models.Model):
    """The votes one candidate received on paper."""

    count = models.ForeignKey(PaperCount, on_delete=models.CASCADE, related_name="lines")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="+")
    votes = models.PositiveSmallIntegerField(_("votes"))

    class Meta:
        verbose_name = _("paper count line")
        verbose_name_plural = _("paper count lines")
        constraints = [
            models.UniqueConstraint(
                fields=["count", "candidate"], name="one_paper_line_per_candidate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate}: {self.votes}"
