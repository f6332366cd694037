"""Forms parse and validate what people type; the services decide what happens."""

from django import forms

from core.forms import VersionField
from maps.models import Journey
from workspaces.models import Team

from .models import Intersection, Stakeholder, Step, Track, TrackKind
from .services import INTERSECTION_FIELDS, STAKEHOLDER_FIELDS, STEP_FIELDS


class StakeholderForm(forms.ModelForm):
    class Meta:
        model = Stakeholder
        fields = STAKEHOLDER_FIELDS

    def __init__(self, *args, workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.instance.workspace = workspace

    def clean_role(self) -> str:
        role = self.cleaned_data["role"].strip()
        others = Stakeholder.objects.filter(workspace=self.workspace, role__iexact=role).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError("This workspace already has a stakeholder with that role.")
        return role


class StakeholderEditForm(StakeholderForm):
    version = VersionField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version


class TrackForm(forms.Form):
    stakeholder = forms.ModelChoiceField(queryset=Stakeholder.objects.none())
    kind = forms.ChoiceField(choices=TrackKind.choices, initial=TrackKind.STAKEHOLDER)
    title = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, journey: Journey, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stakeholder"].queryset = Stakeholder.objects.filter(workspace_id=journey.workspace_id)


class StepForm(forms.ModelForm):
    class Meta:
        model = Step
        fields = STEP_FIELDS
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, journey: Journey, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = journey.stages.all()


class StepEditForm(StepForm):
    version = VersionField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version


class IntersectionForm(forms.ModelForm):
    steps = forms.ModelMultipleChoiceField(queryset=Step.objects.none(), widget=forms.CheckboxSelectMultiple,
                                           help_text="The steps of two or more stakeholders that must align.")

    class Meta:
        model = Intersection
        fields = INTERSECTION_FIELDS

    def __init__(self, *args, journey: Journey, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.journey = journey
        self.fields["stage"].queryset = journey.stages.all()
        self.fields["owner_team"].queryset = Team.objects.filter(workspace_id=journey.workspace_id)
        self.fields["steps"].queryset = Step.objects.filter(track__journey=journey).select_related(
            "track__stakeholder", "stage")
        self.fields["steps"].label_from_instance = lambda s: f"{s.track} · {s.stage} · {s.title}"
        if self.instance.pk and not self.is_bound:
            self.initial["steps"] = list(self.instance.steps.all())


class IntersectionEditForm(IntersectionForm):
    version = VersionField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version


def tracks_queryset(journey: Journey):
    return Track.objects.filter(journey=journey)
