"""`/healthz`: whether this server can do its work, for the load balancer and the monitoring.

Three checks: the database answers, every migration is applied, and a background worker has
recorded a heartbeat lately (without one, imports and reports wait forever). The answer is
200 when every check asked for passes and 503 otherwise, with each check's finding as JSON.
A load balancer that should keep serving pages while the worker is down asks for
`/healthz?skip=worker`. Nothing in the answer names data, users or settings.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

CHECKS = ("database", "migrations", "worker")

# Once every migration is applied it stays so for this process's code: asked once.
_migrated = False


def database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True}


def migrations() -> dict[str, Any]:
    global _migrated
    if _migrated:
        return {"ok": True}
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        return {"ok": False, "error": type(error).__name__}
    _migrated = not pending
    return {"ok": _migrated, "pending": len(pending)}


def worker() -> dict[str, Any]:
    from thidua.jobs.health import last_worker_heartbeat

    try:
        seen = last_worker_heartbeat()
    except DatabaseError as error:
        return {"ok": False, "error": type(error).__name__}
    if seen is None:
        return {"ok": False, "last_heartbeat": None}
    age = (timezone.now() - seen).total_seconds()
    return {
        "ok": age <= settings.THIDUA_WORKER_STALE_AFTER,
        "last_heartbeat": seen.isoformat(),
        "age_seconds": round(age, 1),
    }


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    skipped = {name.strip() for name in request.GET.get("skip", "").split(",")}
    found = {name: globals()[name]() for name in CHECKS if name not in skipped}
    healthy = all(check["ok"] for check in found.values())
    response = JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": found},
        status=200 if healthy else 503,
    )
    # A failing check is an answer, not an error of the server: Django would log every 503 at
    # ERROR and so e-mail the administrators at each poll of the load balancer.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response
