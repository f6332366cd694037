from django import forms

from maps.models import Journey

from .csv_import import MAX_BYTES, parse_period
from .models import WorkspaceSettings


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
