from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "thidua.audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from . import seals, signals  # noqa: F401

        seals.install()
