"""The API's shapes. Dates are ISO 8601; names are as the unit was called at the time."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class Error(Schema):
    detail: str


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
    target: str


class Signature(Schema):
    organization_id: int
    unit: str
    signer: str
    signed_at: dt.datetime


class AuditEntry(Schema):
    at: dt.datetime
    actor: str
    action: str
    object: str
    before: dict | None
    after: dict | None


class AuditPage(Schema):
    count: int
    page: int
    pages: int
    entries: list[AuditEntry]
