from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConferenceConfig(AppConfig):
    name = "thidua.conference"
    verbose_name = _("Review conference")

    def ready(self) -> None:
        from thidua.cycle import hooks

        from . import dashboard
        from . import hooks as conference_hooks

        hooks.year_links.append(dashboard.year_links)
        hooks.member_todos.append(dashboard.member_todos)
        conference_hooks.register_jobs()
