"""Run one action in this process and stop dead in the middle of its transaction.

Used by test_interrupted through `thidua shell -c`: the action runs as usual until it has
written its first row to `table`; then the process says "midway" and waits to be killed.
The audit entry is the marker: an import writes it after all its rows (however they are
inserted, COPY included), a decision after its first award record.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from django.db import connection


def stop_after_first_insert(table: str, action: Callable[[], Any]) -> None:
    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params, many, context)
        if sql.lstrip().upper().startswith("INSERT") and f'"{table}"' in sql:
            print("midway", flush=True)
            time.sleep(600)  # the test kills the process long before
        return result

    with connection.execute_wrapper(wrapper):
        action()
    print("finished", flush=True)
    sys.exit(0)


def import_history(path: str, username: str) -> None:
    from pathlib import Path

    from thidua.award_history.actions import do_import_history
    from thidua.orgs.models import User

    user = User.objects.get(username=username)
    content = Path(path).read_bytes()
    stop_after_first_insert(
        "audit_auditentry",
        lambda: do_import_history(content, file_name="lich-su.xlsx", acting_user=user),
    )


def record_decision(slug: str, year: int, username: str) -> None:
    import datetime as dt

    from thidua.awards.actions import do_record_decision
    from thidua.cycle.models import EmulationYear
    from thidua.orgs.models import User

    user = User.objects.get(username=username)
    emulation_year = EmulationYear.objects.get(cluster__slug=slug, year=year)
    stop_after_first_insert(
        "audit_auditentry",
        lambda: do_record_decision(
            emulation_year,
            number="125/QĐ-BKHĐT",
            date=dt.date(2017, 1, 20),
            issuer_name="Bộ Kế hoạch và Đầu tư",
            signer_name="Nguyễn Chí Dũng",
            authority="agency_head",  # the demo's awards here are grassroots ones (LĐTT)
            acting_user=user,
        ),
    )
