from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigningConfig(AppConfig):
    name = "thidua.signing"
    verbose_name = _("Digital signatures")

    def ready(self) -> None:
        from . import hooks

        hooks.register()
