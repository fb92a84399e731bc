from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CycleConfig(AppConfig):
    name = "thidua.cycle"
    verbose_name = _("Emulation years")

    def ready(self) -> None:
        from thidua.orgs import hooks

        from .organization_page import memberships_section

        hooks.organization_sections.append(memberships_section)
