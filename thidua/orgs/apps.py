from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "thidua.orgs"
    verbose_name = _("Organisations and clusters")

    def ready(self) -> None:
        from thidua import access  # noqa: F401  (registers the permission rules)
