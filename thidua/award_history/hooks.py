"""What award history plugs in (the background import), and where the areas above it plug in.

When two records of one person are merged, the history moves to the one kept; an area that
keeps people of its own (awards' nominations) adds to `people_merged` the step that moves
them, from its own `register()`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thidua.jobs import registry
from thidua.jobs.registry import Outcome, WorkRefused
from thidua.lib.numbers import format_number

if TYPE_CHECKING:
    from thidua.jobs.models import Job
    from thidua.jobs.progress import Progress
    from thidua.orgs.models import Person

# The kind of job award history registers (the value stored in Job.kind).
IMPORT_HISTORY = "import_history"

# (kept, duplicate) -> None: moves what names the duplicate to the person kept, inside the
# merge's transaction.
PeopleMerged = Callable[["Person", "Person"], None]

people_merged: list[PeopleMerged] = []


def import_history(job: Job, progress: Progress) -> Outcome:
    from .actions import do_import_history
    from .importing import ImportRefused

    with job.upload.open("rb") as upload:
        content = upload.read()
    try:
        batch = do_import_history(
            content,
            file_name=job.params.get("file_name", "import.xlsx"),
            acting_user=job.created_by,
            progress=progress,
        )
    except ImportRefused as refusal:
        raise WorkRefused(_("Nothing was imported."), refusal.messages) from None
    return Outcome(_("%(count)s award records imported.") % {"count": format_number(batch.rows)})


def register() -> None:
    """Plug award history into the background jobs (called from AwardHistoryConfig.ready)."""
    registry.register(
        IMPORT_HISTORY,
        label=gettext_lazy("Award history import"),
        permission="awards.manage_history",
        work=import_history,
        takes_input=True,
    )
