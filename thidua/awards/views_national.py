"""The supervisor's national page: the year's summary report and eligibility list, as jobs."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from thidua import access
from thidua.cycle.models import EmulationYear
from thidua.jobs.actions import do_start_job
from thidua.jobs.models import Job


class NationalForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    kind = forms.ChoiceField(
        choices=[
            (Job.Kind.NATIONAL_REPORT, _("National summary report (.docx)")),
            (Job.Kind.CHECK_ELIGIBILITY, _("Every proposal with its eligibility (.xlsx)")),
        ],
        widget=forms.RadioSelect,
        initial=Job.Kind.NATIONAL_REPORT,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        years = EmulationYear.objects.order_by("-year").values_list("year", flat=True).distinct()
        self.fields["year"].choices = [(y, y) for y in years]  # type: ignore[attr-defined]


@login_required
def national(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "conference.national_report")
    form = NationalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        job = do_start_job(
            form.cleaned_data["kind"],
            acting_user=request.user,
            params={"year": form.cleaned_data["year"]},
        )
        return redirect("awards:jobs:detail", pk=job.pk)
    jobs = Job.objects.filter(
        created_by_id=request.user.pk,
        kind__in=[Job.Kind.NATIONAL_REPORT, Job.Kind.CHECK_ELIGIBILITY],
    )[:10]
    return render(
        request,
        "awards/national.html",
        {"form": form, "jobs": jobs},
        status=400 if form.errors else 200,
    )
