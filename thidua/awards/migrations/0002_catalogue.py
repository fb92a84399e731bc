"""Load the award catalogue of DOMAIN.md: titles, forms and their rule versions.

The data is copied here, not read from a file, so that the migration stays what it was when
it ran; later changes are new rule versions made by the supervisor in the catalogue page.
"""

import json
from pathlib import Path

from django.db import migrations

CATALOGUE = json.loads((Path(__file__).parent / "catalogue_0002.json").read_text("utf-8"))


def load(apps, schema_editor):
    AwardType = apps.get_model("awards", "AwardType")
    AwardRule = apps.get_model("awards", "AwardRule")
    for spec in CATALOGUE["awards"]:
        award = AwardType.objects.create(
            code=spec["code"],
            name=spec["name"],
            category=spec["category"],
            level=spec["level"],
            nominee_kind=spec["nominee_kind"],
            rank=spec["rank"],
        )
        for version in spec["versions"]:
            AwardRule.objects.create(award_type=award, **version)


def unload(apps, schema_editor):
    apps.get_model("awards", "AwardRule").objects.all().delete()
    apps.get_model("awards", "AwardType").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("awards", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
