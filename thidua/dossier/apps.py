from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossierConfig(AppConfig):
    name = "thidua.dossier"
    verbose_name = _("Signed proposal dossiers")

    def ready(self) -> None:
        from . import hooks

        hooks.register()
