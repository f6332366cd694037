"""Forms parse and validate what people type; the services decide what happens."""

from django import forms
from django.contrib.auth import get_user_model

from core.forms import VersionField
from maps.models import Journey, Touchpoint
from stakeholders.models import Step
from workspaces.models import Team, Workspace

from .models import Checkpoint, CheckpointType, FailureMode, ReviewStatus, SafetyLoop, TouchpointAccess
from .selectors import RegisterFilters
from .services import CHECKPOINT_FIELDS, FAILURE_MODE_FIELDS, REVIEW_FIELDS, SAFETY_LOOP_FIELDS, TOUCHPOINT_ACCESS_FIELDS


def _members(workspace_id: int):
    return get_user_model().objects.filter(memberships__workspace_id=workspace_id).order_by("username")


class ReviewForm(forms.ModelForm):
    version = VersionField()
    note = forms.CharField(required=False, max_length=500, label="Note on this change of status",
                           widget=forms.TextInput)

    class Meta:
        model = Checkpoint
        fields = REVIEW_FIELDS
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "evidence": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = _members(self.instance.workspace_id)
        self.fields["reviewer"].label_from_instance = lambda u: u.get_full_name() or u.username
        if not self.is_bound:
            self.initial["version"] = self.instance.version


class CheckpointForm(forms.ModelForm):
    class Meta:
        model = Checkpoint
        fields = CHECKPOINT_FIELDS
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, journey: Journey, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.journey, self.instance.workspace_id = journey, journey.workspace_id
        self.fields["stage"].queryset = journey.stages.all()
        self.fields["touchpoint"].queryset = Touchpoint.objects.filter(journey=journey, deleted_at=None)
        self.fields["step"].queryset = Step.objects.filter(track__journey=journey).select_related("track__stakeholder")
        self.fields["step"].label_from_instance = lambda s: f"{s.track} · {s.title}"
        self.fields["owner_team"].queryset = Team.objects.filter(workspace_id=journey.workspace_id)
        self.fields["reviewer"].queryset = _members(journey.workspace_id)
        self.fields["stage"].help_text = "Attach it to one stage, touchpoint or sub-map step."

    def clean(self):
        data = super().clean()
        chosen = [name for name in ("stage", "touchpoint", "step") if data.get(name)]
        if len(chosen) != 1:
            raise forms.ValidationError("Attach the checkpoint to exactly one stage, touchpoint or sub-map step.")
        return data


class FailureModeForm(forms.ModelForm):
    class Meta:
        model = FailureMode
        fields = FAILURE_MODE_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "safeguard": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, journey: Journey, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.journey = journey
        self.fields["step"].queryset = Step.objects.filter(track__journey=journey).select_related("track__stakeholder")
        self.fields["step"].label_from_instance = lambda s: f"{s.track} · {s.title}"


class SafetyLoopForm(forms.ModelForm):
    version = VersionField(required=False)

    class Meta:
        model = SafetyLoop
        fields = SAFETY_LOOP_FIELDS

    def __init__(self, *args, journey: Journey, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.journey = journey
        self.fields["stage"].queryset = journey.stages.all()
        self.fields["owner_team"].queryset = Team.objects.filter(workspace_id=journey.workspace_id)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version


class TouchpointAccessForm(forms.ModelForm):
    version = VersionField(required=False)

    class Meta:
        model = TouchpointAccess
        fields = TOUCHPOINT_ACCESS_FIELDS

    def __init__(self, *args, journey: Journey, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.journey = journey
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version


class RegisterFilterForm(forms.Form):
    type = forms.ChoiceField(choices=[("", "Any type")] + CheckpointType.choices, required=False)
    status = forms.ChoiceField(choices=[("", "Any status")] + ReviewStatus.choices, required=False)
    owner = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, empty_label="Any owner")
    overdue = forms.BooleanField(required=False, label="Overdue only")

    def __init__(self, *args, workspace: Workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Team.objects.filter(workspace=workspace)

    def filters(self) -> RegisterFilters:
        data = self.cleaned_data
        return RegisterFilters(type=data.get("type") or "", status=data.get("status") or "",
                               owner=data["owner"].pk if data.get("owner") else None,
                               overdue=bool(data.get("overdue")))
