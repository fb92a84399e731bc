from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "thidua.scoring"
    verbose_name = _("Scoring")

    def ready(self) -> None:
        from . import hooks

        hooks.register()
