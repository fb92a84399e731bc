"""A national dataset for the benchmarks, reproducible from a seed, on SQLite or PostgreSQL.

    .venv/bin/python -m bench.generate --scale 1            # 1,000 agencies, 3 million records
    .venv/bin/python -m bench.generate --scale 0.1 --engine postgres
    .venv/bin/python -m bench.generate --people 50000 --nominations 9000 --name mine

It is test data, not users' work, so it is written with bulk inserts (COPY on PostgreSQL,
executemany on SQLite) straight into the real tables, after the real migrations:
agencies (a few renamed), clusters with ten years each (the last in the proposals phase),
memberships with head and deputy, accounts, people and their posts, ten years of task
ratings, titles and awards and initiatives, this year's nominations, a criteria table with
submitted self-scores for every cluster, and one closed poll with many ballots.
The same seed and sizes give the same rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import sys
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

CURRENT_YEAR = 2025
PASSWORD = "bench-pass-2016"

PROVINCES = [
    "Hà Giang",
    "Cao Bằng",
    "Bắc Kạn",
    "Tuyên Quang",
    "Lào Cai",
    "Điện Biên",
    "Lai Châu",
    "Sơn La",
    "Yên Bái",
    "Hoà Bình",
    "Thái Nguyên",
    "Lạng Sơn",
    "Quảng Ninh",
    "Bắc Giang",
    "Phú Thọ",
    "Vĩnh Phúc",
    "Bắc Ninh",
    "Hải Dương",
    "Hưng Yên",
    "Thái Bình",
    "Hà Nam",
    "Nam Định",
    "Ninh Bình",
    "Thanh Hoá",
    "Nghệ An",
    "Hà Tĩnh",
    "Quảng Bình",
    "Quảng Trị",
    "Thừa Thiên Huế",
    "Quảng Nam",
    "Quảng Ngãi",
    "Bình Định",
    "Phú Yên",
    "Khánh Hoà",
    "Ninh Thuận",
    "Bình Thuận",
    "Kon Tum",
    "Gia Lai",
    "Đắk Lắk",
    "Đắk Nông",
    "Lâm Đồng",
    "Bình Phước",
    "Tây Ninh",
    "Bình Dương",
    "Đồng Nai",
    "Bà Rịa - Vũng Tàu",
    "Long An",
    "Tiền Giang",
    "Bến Tre",
    "Trà Vinh",
    "Vĩnh Long",
    "Đồng Tháp",
    "An Giang",
    "Kiên Giang",
    "Hậu Giang",
    "Sóc Trăng",
    "Bạc Liêu",
    "Cà Mau",
    "Hà Nội",
    "Hải Phòng",
    "Đà Nẵng",
    "Cần Thơ",
    "Hồ Chí Minh",
]
DEPARTMENTS = [
    "Sở Kế hoạch và Đầu tư",
    "Sở Tài chính",
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Công Thương",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Giao thông vận tải",
    "Sở Xây dựng",
    "Sở Tài nguyên và Môi trường",
    "Sở Thông tin và Truyền thông",
    "Sở Lao động - Thương binh và Xã hội",
    "Sở Văn hoá, Thể thao và Du lịch",
    "Sở Khoa học và Công nghệ",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Thanh tra tỉnh",
    "Ban Dân tộc",
    "Văn phòng UBND",
    "Sở Ngoại vụ",
    "Ban Quản lý các khu công nghiệp",
]
FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Lò",
    "Hà",
    "Nông",
]
MIDDLE = [
    "Văn",
    "Thị",
    "Hữu",
    "Đức",
    "Minh",
    "Thanh",
    "Ngọc",
    "Quang",
    "Thu",
    "Hồng",
    "Xuân",
    "Kim",
    "Anh",
    "Bảo",
    "Công",
    "Đình",
]
GIVEN = [
    "An",
    "Anh",
    "Bình",
    "Châu",
    "Chi",
    "Cường",
    "Dũng",
    "Dung",
    "Duy",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiền",
    "Hiếu",
    "Hoa",
    "Hoà",
    "Hùng",
    "Huy",
    "Hương",
    "Khánh",
    "Khoa",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Minh",
    "Nam",
    "Nga",
    "Ngọc",
    "Nhung",
    "Phong",
    "Phúc",
    "Phương",
    "Quân",
    "Quang",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thành",
    "Thắng",
    "Thủy",
    "Thuỷ",
    "Trang",
    "Trung",
    "Tú",
    "Tuấn",
    "Vân",
    "Việt",
    "Yến",
]
RATINGS = ("htxsnv", "httnv", "htnv", "khtnv")
RATING_WEIGHTS = (0.22, 0.6, 0.15, 0.03)
STATUSES = ("submitted", "compiled", "draft", "approved")
STATUS_WEIGHTS = (0.6, 0.2, 0.15, 0.05)
# This year's individual nominations by award, as shares.
INDIVIDUAL_AWARDS = (
    ("ldtt", 0.70),
    ("cstdcs", 0.18),
    ("giay_khen", 0.05),
    ("bk_bo", 0.04),
    ("cstd_bo", 0.02),
    ("bk_ttg", 0.01),
)


def create_database(engine: str, name: str, pg: str) -> str:
    """An empty database for the dataset; an earlier one of the same name is dropped."""
    url = common.database_url(engine, name, pg)
    if engine == "sqlite":
        path = common.DATA_DIR / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return url
    import psycopg

    with psycopg.connect(pg.rstrip("/") + "/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    return url


class Loader:
    """Bulk rows into a model's table: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.counts: dict[str, int] = {}

    def uuid(self, value: uuid.UUID) -> Any:
        return value if self.postgres else value.hex

    def load(self, model: Any, fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        table = model._meta.db_table
        columns = [model._meta.get_field(f).column for f in fields]
        quoted = ", ".join(f'"{c}"' for c in columns)
        total = 0
        with self.connection.cursor() as wrapper:
            raw = wrapper.cursor
            if self.postgres:
                with raw.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                        total += 1
            else:
                marks = ", ".join("?" for _ in columns)
                sql = f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})'
                iterator = iter(rows)
                while chunk := list(islice(iterator, 50_000)):
                    raw.executemany(sql, chunk)
                    total += len(chunk)
        self.counts[table] = self.counts.get(table, 0) + total
        return total

    def next_id(self, model: Any) -> int:
        from django.db.models import Max

        return int(model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    def finish(self, models: Iterable[Any]) -> None:
        """Sequences past the explicit ids (PostgreSQL) and fresh planner statistics."""
        from django.core.management.color import no_style

        with self.connection.cursor() as cursor:
            if self.postgres:
                for statement in self.connection.ops.sequence_reset_sql(no_style(), list(models)):
                    cursor.execute(statement)
            cursor.execute("ANALYZE")


class Generator:
    def __init__(self, sizes: dict[str, int], seed: int) -> None:
        self.sizes = sizes
        self.seed = seed
        self.rng = random.Random(seed)
        self.loader = Loader()
        self.first_year = CURRENT_YEAR - sizes["years"] + 1  # first emulation year
        self.history_years = range(CURRENT_YEAR - sizes["years"], CURRENT_YEAR)
        self.fold_cache: dict[str, str] = {}
        self.search_cache: dict[str, str] = {}

    def log(self, message: str) -> None:
        print(f"  {time.perf_counter() - self.started:7.1f}s  {message}", flush=True)

    def fold(self, name: str) -> str:
        from thidua.lib.text import fold

        key = self.fold_cache.get(name)
        if key is None:
            key = self.fold_cache[name] = fold(name)
        return key

    def search_key(self, name: str) -> str:
        from thidua.awards.reads import search_key

        key = self.search_cache.get(name)
        if key is None:
            key = self.search_cache[name] = search_key(name)
        return key

    def run(self) -> None:
        from django.db import transaction

        self.started = time.perf_counter()
        with transaction.atomic():
            self.organizations()
            self.clusters_and_years()
            self.accounts()
            self.people()
            self.history()
            self.unit_history()
            self.nominations()
            self.scoring()
            self.poll()
        from thidua.award_history.models import AwardRecord, Initiative, TaskRating
        from thidua.awards.models import Nomination
        from thidua.orgs.models import Person, PersonPosition
        from thidua.voting.models import Ballot

        self.loader.finish(
            [AwardRecord, Initiative, Nomination, TaskRating, Person, PersonPosition, Ballot]
        )
        with self.loader.connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_generated (seed integer, sizes text)")
            cursor.execute(
                "INSERT INTO bench_generated VALUES (%s, %s)", [self.seed, repr(self.sizes)]
            )
        self.log("done: " + ", ".join(f"{t} {n:,}" for t, n in self.loader.counts.items()))

    # --- agencies, clusters, years ------------------------------------------------------------

    def organizations(self) -> None:
        from thidua.orgs.models import Organization, Succession

        count = self.sizes["organizations"]
        self.supervisor = Organization.objects.create(
            name="Vụ Thi đua - Khen thưởng",
            kind=Organization.Kind.MINISTRY_DEPARTMENT,
        )
        names = []
        for index in range(count):
            province = PROVINCES[index % len(PROVINCES)]
            department = DEPARTMENTS[(index // len(PROVINCES)) % len(DEPARTMENTS)]
            round_ = index // (len(PROVINCES) * len(DEPARTMENTS))
            suffix = f" (khu vực {round_ + 1})" if round_ else ""
            names.append((f"{department} tỉnh {province}{suffix}", province))
        self.orgs = Organization.objects.bulk_create(
            Organization(name=name, province=province, kind="provincial_department")
            for name, province in names
        )
        # One agency in a hundred was renamed: its history is under its former name.
        renamed = self.rng.sample(self.orgs, max(1, count // 100))
        former = Organization.objects.bulk_create(
            Organization(
                name=f"{org.name} (tên cũ)",
                province=org.province,
                kind=org.kind,
                valid_to=dt.date(CURRENT_YEAR - 4, 12, 31),
                archived=True,
            )
            for org in renamed
        )
        Succession.objects.bulk_create(
            Succession(
                predecessor=old,
                successor=new,
                kind=Succession.Kind.RENAME,
                effective=dt.date(CURRENT_YEAR - 3, 1, 1),
            )
            for old, new in zip(former, renamed, strict=True)
        )
        self.former = {new.pk: old for old, new in zip(former, renamed, strict=True)}
        self.log(f"{len(self.orgs):,} agencies, {len(former)} of them renamed")

    def clusters_and_years(self) -> None:
        from thidua.cycle.models import EmulationYear, Membership
        from thidua.orgs.models import Cluster

        count = self.sizes["clusters"]
        clusters = Cluster.objects.bulk_create(
            Cluster(
                slug=f"cum-thi-dua-{number:03d}",
                name=f"Cụm thi đua số {number}",
                supervisor=self.supervisor,
            )
            for number in range(1, count + 1)
        )
        self.members: dict[int, list[Any]] = {c.pk: [] for c in clusters}
        for index, org in enumerate(self.orgs):
            self.members[clusters[index % count].pk].append(org)
        years = EmulationYear.objects.bulk_create(
            EmulationYear(
                cluster=cluster,
                year=year,
                phase="proposals" if year == CURRENT_YEAR else "closed",
            )
            for cluster in clusters
            for year in range(self.first_year, CURRENT_YEAR + 1)
        )
        memberships = []
        for year in years:
            members = self.members[year.cluster_id]
            head = (year.year + year.cluster_id) % len(members)
            for index, org in enumerate(members):
                role = "member"
                if index == head:
                    role = "head"
                elif index == (head + 1) % len(members):
                    role = "deputy"
                memberships.append(Membership(year=year, organization=org, role=role))
        self.memberships = Membership.objects.bulk_create(memberships, batch_size=5000)
        self.clusters = clusters
        self.current_years = {y.cluster_id: y for y in years if y.year == CURRENT_YEAR}
        self.log(f"{len(clusters)} clusters, {len(years):,} years, {len(memberships):,} members")

    def accounts(self) -> None:
        from django.contrib.auth.hashers import make_password

        from thidua.orgs.models import User

        password = make_password(PASSWORD)
        users = [
            User(
                username="bench-admin",
                password=password,
                is_superuser=True,
                is_staff=True,
                full_name="Quản trị",
            ),
            User(
                username="bench-supervisor",
                password=password,
                organization=self.supervisor,
                full_name="Chuyên viên Vụ Thi đua - Khen thưởng",
            ),
        ]
        for org in self.orgs:
            for position in ("officer", "leader"):
                users.append(
                    User(
                        username=f"org{org.pk}-{position}",
                        password=password,
                        organization=org,
                        position=position,
                        full_name=f"{position.title()} {org.province}",
                    )
                )
        created = User.objects.bulk_create(users, batch_size=2000)
        self.officers = {u.organization_id: u for u in created if u.username.endswith("-officer")}
        self.log(f"{len(created):,} accounts (password {PASSWORD})")

    # --- people and their history --------------------------------------------------------------

    def people(self) -> None:
        from thidua.orgs.models import Person, PersonPosition

        rng = self.rng
        count = self.sizes["people"]
        first = self.loader.next_id(Person)
        self.person_org: list[int] = []
        self.person_name: list[str] = []
        self.person_born: list[int] = []
        self.by_org: dict[int, list[int]] = {org.pk: [] for org in self.orgs}
        orgs = self.orgs
        for index in range(count):
            # Every agency gets its share of staff; the rest spread at random.
            org = orgs[index % len(orgs)] if index < len(orgs) * 20 else rng.choice(orgs)
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            self.person_org.append(org.pk)
            self.person_name.append(name)
            self.person_born.append(rng.randint(1965, 2000))
            self.by_org[org.pk].append(first + index)

        def people_rows() -> Iterator[tuple[Any, ...]]:
            for index in range(count):
                name = self.person_name[index]
                yield (
                    first + index,
                    name,
                    self.fold(name),
                    self.person_born[index],
                    "female" if " Thị " in name else "male",
                    None,
                )

        self.loader.load(
            Person,
            ["id", "full_name", "name_key", "birth_year", "gender", "merged_into"],
            people_rows(),
        )
        first_position = self.loader.next_id(PersonPosition)
        self.loader.load(
            PersonPosition,
            ["id", "person", "organization", "title", "valid_from", "valid_to"],
            (
                (
                    first_position + index,
                    first + index,
                    self.person_org[index],
                    "Chuyên viên",
                    None,
                    None,
                )
                for index in range(count)
            ),
        )
        self.first_person = first
        self.log(f"{count:,} people with their posts")

    def history(self) -> None:
        """Ten years of each person's ratings, titles and awards, and initiatives."""
        from thidua.award_history.models import AwardRecord, AwardType, Initiative, TaskRating

        self.award_ids = dict(AwardType.objects.values_list("code", "pk"))
        ids = self.award_ids
        rng = self.rng
        org_names = {org.pk: org.name for org in self.orgs}
        provinces = {org.pk: org.province for org in self.orgs}
        records: list[tuple[Any, ...]] = []
        ratings: list[tuple[Any, ...]] = []
        initiatives: list[tuple[Any, ...]] = []
        next_record = self.loader.next_id(AwardRecord)
        next_rating = self.loader.next_id(TaskRating)
        next_initiative = self.loader.next_id(Initiative)
        totals = [0, 0, 0]
        years = list(self.history_years)
        decision_dates = {
            y: [dt.date(y + 1, 1, 1) + dt.timedelta(d) for d in range(60)] for y in years
        }

        def flush() -> None:
            totals[0] += self.loader.load(
                AwardRecord,
                [
                    "id",
                    "person",
                    "organization",
                    "award_type",
                    "year",
                    "decision_number",
                    "decision_date",
                    "issuer_name",
                    "unit_name",
                    "source",
                    "decision",
                    "history_import",
                ],
                records,
            )
            totals[1] += self.loader.load(
                TaskRating, ["id", "person", "organization", "year", "rating"], ratings
            )
            totals[2] += self.loader.load(
                Initiative, ["id", "person", "title", "level", "year", "used_by"], initiatives
            )
            records.clear()
            ratings.clear()
            initiatives.clear()

        weights = list(RATING_WEIGHTS)
        for index in range(self.sizes["people"]):
            person = self.first_person + index
            org = self.person_org[index]
            unit = org_names[org]
            issuer = f"Chủ tịch UBND tỉnh {provinces[org]}"
            streak = 0  # consecutive years as grassroots emulation fighter (cstdcs)
            last_bk_bo = -99
            for year in years:
                rating = rng.choices(RATINGS, weights)[0]
                ratings.append((next_rating, person, None, year, rating))
                next_rating += 1
                held = []
                roll = rng.random()
                if rating in ("htxsnv", "httnv") and roll < 0.95:
                    held.append("ldtt")
                    if (rating == "htxsnv" and roll < 0.55) or roll < 0.03:
                        held.append("cstdcs")
                        streak += 1
                        initiatives.append(
                            (
                                next_initiative,
                                person,
                                f"Sáng kiến {year}-{index}",
                                "grassroots",
                                year,
                                None,
                            )
                        )
                        next_initiative += 1
                    else:
                        streak = 0
                    if streak >= 3 and roll < 0.2:
                        held.append("cstd_bo")
                        initiatives.append(
                            (
                                next_initiative,
                                person,
                                f"Đề tài {year}-{index}",
                                "ministry_province",
                                year,
                                None,
                            )
                        )
                        next_initiative += 1
                    if streak >= 2 and year - last_bk_bo >= 5 and rng.random() < 0.15:
                        held.append("bk_bo")
                        last_bk_bo = year
                else:
                    streak = 0
                if rng.random() < 0.1:
                    held.append("giay_khen")
                for code in held:
                    records.append(
                        (
                            next_record,
                            person,
                            None,
                            ids[code],
                            year,
                            f"{rng.randint(1, 3000)}/QĐ-UBND",
                            rng.choice(decision_dates[year]).isoformat(),
                            issuer,
                            unit,
                            "import",
                            None,
                            None,
                        )
                    )
                    next_record += 1
            # This year's rating is known when nominations are judged.
            rating = rng.choices(RATINGS, weights)[0]
            ratings.append((next_rating, person, None, CURRENT_YEAR, rating))
            next_rating += 1
            if len(records) > 200_000:
                flush()
                self.log(f"history: {index + 1:,} people, {totals[0]:,} award records")
        flush()
        self.log(
            f"history: {totals[0]:,} award records, {totals[1]:,} ratings, "
            f"{totals[2]:,} initiatives"
        )

    def unit_history(self) -> None:
        from thidua.award_history.models import AwardRecord, TaskRating

        ids = self.award_ids
        rng = self.rng
        records, ratings = [], []
        next_record = self.loader.next_id(AwardRecord)
        next_rating = self.loader.next_id(TaskRating)
        for org in self.orgs:
            holder = org
            for year in [*self.history_years, CURRENT_YEAR]:
                if org.pk in self.former and year <= CURRENT_YEAR - 4:
                    holder = self.former[org.pk]  # the years under its former name
                else:
                    holder = org
                rating = rng.choices(RATINGS, (0.3, 0.6, 0.09, 0.01))[0]
                ratings.append((next_rating, None, holder.pk, year, rating))
                next_rating += 1
                if year == CURRENT_YEAR:
                    continue
                held = []
                if rating in ("htxsnv", "httnv"):
                    held.append("tt_ldtt")
                if rating == "htxsnv" and rng.random() < 0.5:
                    held.append("tt_ldxs")
                if rng.random() < 0.1:
                    held.append("bk_bo_tt")
                for code in held:
                    records.append(
                        (
                            next_record,
                            None,
                            holder.pk,
                            ids[code],
                            year,
                            f"{rng.randint(1, 3000)}/QĐ-BKHĐT",
                            dt.date(year + 1, 2, 1).isoformat(),
                            "Bộ trưởng Bộ Kế hoạch và Đầu tư",
                            holder.name,
                            "import",
                            None,
                            None,
                        )
                    )
                    next_record += 1
        fields = ["id", "person", "organization", "award_type", "year", "decision_number"]
        fields += ["decision_date", "issuer_name", "unit_name", "source", "decision"]
        fields += ["history_import"]
        self.loader.load(AwardRecord, fields, records)
        self.loader.load(TaskRating, ["id", "person", "organization", "year", "rating"], ratings)
        self.log(f"units: {len(records):,} award records, {len(ratings):,} ratings")

    # --- this year ---------------------------------------------------------------------------

    def nominations(self) -> None:
        from thidua.awards.models import Nomination

        rng = self.rng
        ids = self.award_ids
        year_of_org = {
            org.pk: self.current_years[cluster_id].pk
            for cluster_id, members in self.members.items()
            for org in members
        }
        total = self.sizes["nominations"]
        per_org, extra = divmod(total, len(self.orgs))
        rows = []
        next_id = self.loader.next_id(Nomination)
        for position, org in enumerate(self.orgs):
            wanted = per_org + (1 if position < extra else 0)
            picks: list[tuple[str, int | None]] = [("tt_ldtt", None)]
            if rng.random() < 0.2:
                picks.append(("tt_ldxs", None))
            staff = self.by_org[org.pk]
            remaining = max(wanted - len(picks), 0)
            for code, share in INDIVIDUAL_AWARDS:
                n = min(round(remaining * share), len(staff))
                picks.extend((code, person) for person in rng.sample(staff, n))
            while len(picks) < wanted:  # rounding: top up with ldtt for people not yet named
                chosen = rng.choice(staff)
                if ("ldtt", chosen) not in picks:
                    picks.append(("ldtt", chosen))
            for code, person in picks[:wanted]:
                name = org.name if person is None else self.person_name[person - self.first_person]
                status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
                rows.append(
                    (
                        next_id,
                        year_of_org[org.pk],
                        org.pk,
                        person,
                        org.pk if person is None else None,
                        ids[code],
                        f"Hoàn thành xuất sắc nhiệm vụ năm {CURRENT_YEAR}; {name}.",
                        rng.random() < 0.9 or None,
                        status,
                        "",
                        self.search_key(name),
                        None,
                    )
                )
                next_id += 1
        self.loader.load(
            Nomination,
            [
                "id",
                "year",
                "unit",
                "person",
                "collective",
                "award_type",
                "summary",
                "clean_record",
                "status",
                "return_reason",
                "search_key",
                "record",
            ],
            rows,
        )
        self.log(f"{len(rows):,} nominations for {CURRENT_YEAR}")

    def scoring(self) -> None:
        """A criteria table for each cluster's current year, every member's submitted scores."""
        from django.utils import timezone

        from thidua.scoring.models import (
            Band,
            CriteriaTable,
            Criterion,
            Score,
            SelfAssessment,
        )

        rng = self.rng
        now = timezone.now()
        tables = CriteriaTable.objects.bulk_create(
            CriteriaTable(year=year, title=f"Bảng tiêu chí năm {CURRENT_YEAR}", locked_at=now)
            for year in self.current_years.values()
        )
        sections = []
        for table in tables:
            for number, roman in enumerate(("I", "II", "III", "IV"), start=1):
                sections.append(
                    Criterion(
                        table=table,
                        number=roman,
                        title=f"Nhóm tiêu chí {roman}",
                        kind="section",
                        order=number * 10,
                    )
                )
        sections = Criterion.objects.bulk_create(sections)
        leaves = []
        for section in sections:
            for item in range(1, 6):
                leaves.append(
                    Criterion(
                        table=section.table,
                        parent=section,
                        number=f"{section.number}.{item}",
                        title=f"Tiêu chí {section.number}.{item}",
                        kind="item",
                        max_points=Decimal(5),
                        order=section.order + item,
                    )
                )
        for table in tables:
            leaves.append(
                Criterion(
                    table=table,
                    number="V",
                    title="Điểm thưởng",
                    kind="bonus",
                    max_points=Decimal(5),
                    order=60,
                )
            )
            leaves.append(
                Criterion(
                    table=table,
                    number="VI",
                    title="Điểm trừ",
                    kind="penalty",
                    max_points=Decimal(5),
                    order=70,
                )
            )
        leaves = Criterion.objects.bulk_create(leaves)
        Band.objects.bulk_create(
            Band(table=table, classification=c, min_total=Decimal(m))
            for table in tables
            for c, m in (("xuat_sac", 90), ("tot", 80), ("hoan_thanh", 50))
        )
        table_of_year = {t.year_id: t for t in tables}
        leaves_of = {t.pk: [leaf for leaf in leaves if leaf.table_id == t.pk] for t in tables}
        assessments = SelfAssessment.objects.bulk_create(
            SelfAssessment(
                membership=m,
                table=table_of_year[m.year_id],
                submitted_at=now,
                submitted_by=self.officers[m.organization_id],
            )
            for m in self.memberships
            if m.year_id in table_of_year
        )
        scores = []
        for assessment in assessments:
            for leaf in leaves_of[assessment.table_id]:
                low = Decimal(-5) if leaf.kind == "penalty" else Decimal(0)
                high = Decimal(0) if leaf.kind == "penalty" else Decimal(5)
                if leaf.kind == "penalty":
                    points = -Decimal(rng.choice((0, 0, 0, 1, 2)))
                else:
                    points = Decimal(rng.randint(6, 10)) / 2
                scores.append(
                    Score(
                        assessment=assessment,
                        criterion=leaf,
                        points=points,
                        explanation="Đạt",
                        minimum=low,
                        maximum=high,
                    )
                )
        Score.objects.bulk_create(scores, batch_size=5000)
        self.log(f"{len(tables)} criteria tables, {len(scores):,} scores")

    def poll(self) -> None:
        """One closed online poll in the first cluster with many ballots (a stress case)."""
        from django.utils import timezone

        from thidua.voting.models import Ballot, BallotChoice, Candidate, Poll

        rng = self.rng
        count = self.sizes["ballots"]
        cluster = self.clusters[0]
        now = timezone.now()
        poll = Poll.objects.create(
            year=self.current_years[cluster.pk],
            title="Bình xét Bằng khen (bench)",
            purpose=Poll.Purpose.CERTIFICATE,
            max_choices=3,
            status=Poll.Status.CLOSED,
            opened_at=now - dt.timedelta(hours=2),
            closed_at=now,
            entitled=count,
        )
        candidates = Candidate.objects.bulk_create(
            Candidate(poll=poll, position=i + 1, organization=org)
            for i, org in enumerate(self.members[cluster.pk])
        )
        ballots, choices = [], []
        for index in range(count):
            ballot = uuid.UUID(int=rng.getrandbits(128), version=4)
            receipt = hashlib.sha256(f"{self.seed}-{index}".encode()).hexdigest()
            ballots.append((self.loader.uuid(ballot), poll.pk, receipt))
            for candidate in rng.sample(candidates, rng.randint(0, 3)):
                choice = uuid.UUID(int=rng.getrandbits(128), version=4)
                choices.append((self.loader.uuid(choice), self.loader.uuid(ballot), candidate.pk))
        self.loader.load(Ballot, ["id", "poll", "receipt_hash"], ballots)
        self.loader.load(BallotChoice, ["id", "ballot", "candidate"], choices)
        self.poll_id = poll.pk
        self.log(f"poll {poll.pk}: {count:,} ballots, {len(choices):,} choices")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common.add_dataset_arguments(parser)
    for key in common.NATIONAL:
        parser.add_argument(f"--{key}", type=int, help=f"override the scale's {key}")
    parser.add_argument("--name", help="database name (default: from scale and seed)")
    args = parser.parse_args(argv)
    sizes = common.sizes(args.scale)
    for key in common.NATIONAL:
        if getattr(args, key) is not None:
            sizes[key] = getattr(args, key)
    name = args.name or common.dataset_name(args.scale, args.seed)
    url = create_database(args.engine, name, args.pg)
    print(f"bench: generating {name} ({args.engine}): {sizes}", flush=True)
    os.environ.setdefault("THIDUA_LOG_LEVEL", "WARNING")
    common.setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
    call_command("migrate", verbosity=0)
    print(f"  {time.perf_counter() - started:7.1f}s  migrated", flush=True)
    Generator(sizes, args.seed).run()
    print(f"bench: {name} ready in {time.perf_counter() - started:.1f}s: {url}")


if __name__ == "__main__":
    main()
