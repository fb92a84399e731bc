"""Tokens made before expiry and scopes keep what they could do (read and write) and expire
THIDUA_API_TOKEN_DAYS after this migration."""

import datetime as dt

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def existing_tokens_expire(apps, schema_editor):
    ApiToken = apps.get_model("api", "ApiToken")
    days = getattr(settings, "THIDUA_API_TOKEN_DAYS", 90)
    ApiToken.objects.update(expires_at=timezone.now() + dt.timedelta(days=days))


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "read only"), ("write", "read and write")],
                default="write",
                max_length=8,
                verbose_name="scope",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(default=timezone.now, verbose_name="expires at"),
            preserve_default=False,
        ),
        migrations.RunPython(existing_tokens_expire, migrations.RunPython.noop),
    ]
