"""The API's shapes. Dates are ISO 8601; names are as the unit was called at the time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import File, Path, Schema
from ninja.files import UploadedFile
from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from thidua.cycle.models import Phase

from . import paging


class Error(Schema):
    detail: str
    details: list[str] = Field(
        default_factory=list, description="What the refusal found, item by item, if any."
    )


# Every endpoint may answer with these; 400 and 422 are malformed or invalid input.
ERRORS: dict[int, Any] = {
    400: Error,
    401: Error,
    403: Error,
    404: Error,
    422: Error,
}


# Text the database can store: PostgreSQL refuses NUL characters, as Django's forms do.
NO_NUL = r"^[^\x00]*$"

# A cluster's slug, as a path parameter.
Slug = Annotated[str, Path(pattern=r"^[-a-zA-Z0-9_]+$")]

# A row's id as a path parameter: no larger than the database's integers hold.
MAX_ID = 2**63 - 1

# A form's file, which may be left out: the page's form then refuses a missing or empty one
# in its words (400). The schema says a binary file, so clients and fuzzers send one.
MaybeFile = File[UploadedFile | SkipJsonSchema[None]]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def number(value: Decimal | None) -> str | None:
    """An exact figure as the API writes it: a plain decimal string, "1234.5", never a float."""
    if value is None:
        return None
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class Me(Schema):
    username: str
    full_name: str
    organization_id: int | None
    organization: str | None
    position: str


class Organization(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    province: str
    valid_from: dt.date | None
    valid_to: dt.date | None


class Succession(Schema):
    predecessor_id: int
    predecessor: str
    successor_id: int
    successor: str
    kind: str
    effective: dt.date


class OrganizationDetail(Organization):
    continues: list[Succession]
    continued_by: list[Succession]


class YearSummary(Schema):
    year: int
    phase: str


class Cluster(Schema):
    slug: str
    name: str
    supervisor_id: int
    supervisor: str


class ClusterDetail(Cluster):
    years: list[YearSummary]


class Member(Schema):
    organization_id: int
    name: str
    role: str
    signed_pledge: bool


class Movement(Schema):
    title: str
    launched_on: dt.date
    goals: str
    targets: str


class Year(Schema):
    cluster: str
    year: int
    phase: str
    members: list[Member]
    movement: Movement | None


class PhaseChange(Schema):
    target: Phase


class Signature(Schema):
    organization_id: int
    unit: str
    signer: str
    signed_at: dt.datetime


class AuditEntry(Schema):
    id: int = Field(description="The entry's number: a mirror deduplicates on it.")
    at: dt.datetime
    actor: str
    action: str
    object: str
    before: dict | None
    after: dict | None


class AuditPage(Schema):
    count: int = Field(description="The entries under these filters, in all pages.")
    page: int | None = Field(description="The page's number when asked by `page`, else null.")
    pages: int | None = Field(description="How many numbered pages there are, else null.")
    entries: list[AuditEntry]
    next: str | None = Field(
        description="The cursor after this page's last entry, to read what follows (now or "
        "later); the one given when the page is empty; null for numbered pages."
    )
    more: bool = Field(description="Whether more entries already follow this page.")


class HistoryFilters(Schema):
    """The history page's filters, and either a cursor (oldest first, for a mirror) or a
    page number (newest first, as the page shows it)."""

    after: str | None = Field(
        default=None,
        max_length=2000,
        pattern=NO_NUL,
        description="The cursor a previous page gave as `next`, with the same filters.",
    )
    limit: int = Field(
        default=paging.DEFAULT_LIMIT,
        ge=1,
        le=paging.MAX_LIMIT,
        description="Entries a page, with a cursor or a page number alike.",
    )
    page: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ID,
        description="A numbered page, newest first, as the history page shows them; not "
        "with `after`. Left out: the cursor's pages, oldest first.",
    )
    area: int | None = Field(
        default=None,
        ge=0,
        le=1000,
        description="An area, by its place (from 0) in the history page's list of areas.",
    )
    unit: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="The entries of one member unit's people."
    )
    since: dt.date | None = Field(default=None, description="Entries from this day on.")
    until: dt.date | None = Field(default=None, description="Entries up to this day.")
