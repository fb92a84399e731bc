from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "thidua.awards"
    verbose_name = _("Awards")

    def ready(self) -> None:
        from thidua.cycle import hooks

        from . import checks  # noqa: F401  (registers the system checks)
        from . import hooks as awards_hooks

        hooks.year_links.append(awards_hooks.year_links)
        hooks.member_todos.append(awards_hooks.member_todos)
        hooks.report_facts.append(awards_hooks.report_facts)
        awards_hooks.register_jobs()
