from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConferenceConfig(AppConfig):
    name = "thidua.conference"
    verbose_name = _("Review conference")

    def ready(self) -> None:
        from . import hooks

        hooks.register()
