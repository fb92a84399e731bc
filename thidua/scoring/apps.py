from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "thidua.scoring"
    verbose_name = _("Scoring")

    def ready(self) -> None:
        from thidua.cycle import hooks

        from . import actions
        from . import hooks as scoring_hooks

        hooks.phase_checks.append(actions.phase_problems)
        hooks.phase_changed.append(actions.on_phase_changed)
        hooks.member_todos.append(scoring_hooks.member_todos)
        hooks.year_links.append(scoring_hooks.year_links)
        hooks.report_facts.append(scoring_hooks.report_facts)
