from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "thidua.awards"
    verbose_name = _("Awards")

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            hooks,
        )

        hooks.register()
