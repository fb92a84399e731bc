from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CycleConfig(AppConfig):
    name = "thidua.cycle"
    verbose_name = _("Emulation years")

    def ready(self) -> None:
        from thidua.orgs import hooks as org_hooks

        from . import hooks, problems
        from .organization_page import memberships_section

        org_hooks.organization_sections.append(memberships_section)
        hooks.describe_actions(_("Emulation year"), problems.ACTIONS)
