from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "thidua.indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from thidua.cycle import hooks

        from . import dashboard

        hooks.member_todos.append(dashboard.member_todos)
        hooks.year_links.append(dashboard.year_links)
        hooks.report_facts.append(dashboard.report_facts)
