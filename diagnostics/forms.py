from django import forms

from maps.models import Journey

from .csv_import import MAX_BYTES, parse_period
from .models import EvidenceKind, WorkspaceSettings


class StageMetricForm(forms.Form):
    stage = forms.ModelChoiceField(queryset=None, empty_label=None)
    period = forms.CharField(label="Month", max_length=10, help_text="YYYY-MM",
                             widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"}))
    entered = forms.IntegerField(min_value=0, max_value=10_000_000, help_text="People who entered the stage")
    progressed = forms.IntegerField(min_value=0, max_value=10_000_000, help_text="Of them, people who reached the next")
    # The version of the month's saved counts that this save replaces, once the person has seen them.
    replaces = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, journey: Journey, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = journey.stages.all()

    def clean_period(self):
        period = parse_period(self.cleaned_data["period"])
        if period is None:
            raise forms.ValidationError("Write the month as YYYY-MM, for example 2026-01.")
        return period

    def clean(self):
        data = super().clean()
        entered, progressed = data.get("entered"), data.get("progressed")
        if entered is not None and progressed is not None and progressed > entered:
            self.add_error("progressed", "More people cannot progress than entered the stage.")
        return data


class MetricsUploadForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="Columns stage,period,entered,progressed; UTF-8; at most 1 MB.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is 1 MB.")
        return upload


class WorkspaceSettingsForm(forms.ModelForm):
    class Meta:
        model = WorkspaceSettings
        fields = ["small_count_threshold"]


class EventLogUploadForm(forms.Form):
    file = forms.FileField(label="Event log", help_text="CSV (UTF-8, header case_id,step,timestamp[,channel]) "
                                                        "or Parquet with the same columns.")
    return_gap_days = forms.IntegerField(label="Return gap (days)", min_value=1, max_value=365, initial=7,
                                         help_text="A pause longer than this before an event counts as a return.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".parquet", ".pq")):
            raise forms.ValidationError("Choose a .csv or .parquet file.")
        if upload.size == 0:
            raise forms.ValidationError("The file is empty: it needs a header row case_id,step,timestamp.")
        return upload


IGNORE_CHOICE = "ignore"


class StepMappingForm(forms.Form):
    step = forms.CharField(max_length=200, label="Step name")
    target = forms.ChoiceField(label="Stage")

    def __init__(self, *args, journey: Journey, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.stages = {str(s.pk): s for s in journey.stages.all()}
        self.fields["target"].choices = [(pk, s.name) for pk, s in self.stages.items()] + [
            (IGNORE_CHOICE, "Ignore this step")]

    def clean(self):
        data = super().clean()
        target = data.get("target")
        data["stage"] = None if target == IGNORE_CHOICE else self.stages.get(target)
        return data


class EvidenceForm(forms.Form):
    card = forms.TypedChoiceField(label="Claim", coerce=int)
    kind = forms.ChoiceField(label="Kind of evidence", choices=EvidenceKind.choices)
    summary = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text="What it shows, e.g. “38% of callers ask where the video link is”.")
    source = forms.CharField(max_length=300, help_text="Where it comes from: a dashboard, a study, a ticket query.")
    observed_on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                  help_text="When it was measured or heard.")

    def __init__(self, *args, claims: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["card"].choices = [(c.card.pk, f"{c.what}: {c.card.title} ({c.card.stage.name})") for c in claims]

    def clean_observed_on(self):
        from django.utils import timezone

        observed_on = self.cleaned_data["observed_on"]
        if observed_on > timezone.localdate():
            raise forms.ValidationError("Evidence cannot come from the future.")
        return observed_on
