from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardHistoryConfig(AppConfig):
    name = "thidua.award_history"
    label = "award_history"
    verbose_name = _("Award history")

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            hooks,
        )

        hooks.register()
