"""A backup of the demo database comes back table for table."""

import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from thidua.orgs import actions
from thidua.orgs.models import Organization, User


def _every_table() -> dict[str, list[tuple]]:
    tables = {}
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields]
        tables[model._meta.db_table] = list(model.objects.order_by("pk").values_list(*fields))
    return tables


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip_the_demo_database(tmp_path):
    call_command("load_demo", stdout=io.StringIO())
    before = _every_table()
    path = tmp_path / "thidua.backup"
    call_command("backup", str(path), stdout=io.StringIO())
    admin = User.objects.get(username="admin")
    actions.do_create_organization(name="Một đơn vị mới sau khi sao lưu", acting_user=admin)
    assert _every_table() != before
    call_command("restore", str(path), stdout=io.StringIO())
    after = _every_table()
    assert after == before
    assert not Organization.objects.filter(name="Một đơn vị mới sau khi sao lưu").exists()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    path = tmp_path / "not-a-backup.xlsx"
    path.write_bytes(b"PK\x03\x04 something else")
    with pytest.raises(CommandError, match="not a"):
        call_command("restore", str(path))
    with pytest.raises(CommandError, match="no backup file"):
        call_command("restore", str(tmp_path / "missing"))
