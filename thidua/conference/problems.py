"""The conference's words for the year's history."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

# The conference's actions, as the year's history tells them.
ACTIONS = {
    "conference.set": gettext_lazy("recorded the review conference"),
    "conference.attendee_add": gettext_lazy("added an attendee"),
    "conference.attendee_remove": gettext_lazy("removed an attendee"),
    "report.generate": gettext_lazy("generated a draft of the summary report"),
    "report.revise": gettext_lazy("revised the summary report"),
    "report.comment": gettext_lazy("commented on the draft report"),
    "report.finalise": gettext_lazy("finalised the summary report"),
    "template.upload": gettext_lazy("uploaded a document template"),
    "template.reset": gettext_lazy("went back to the standard template"),
    "news.draft": gettext_lazy("drafted a news article"),
    "news.save": gettext_lazy("edited a news article"),
    "news.publish": gettext_lazy("published a news article"),
    "news.unpublish": gettext_lazy("withdrew a news article"),
}
