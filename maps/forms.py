"""Forms parse and validate what people type; the services decide what happens."""

from django import forms

from workspaces.models import Team

from .map_templates import MAP_TEMPLATES
from .models import Card, Journey, JourneyKind, Lane, Stage, Transition
from .services import JOURNEY_FIELDS, LANE_FIELDS, STAGE_FIELDS, card_fields


class VersionedForm(forms.ModelForm):
    """Every edit names the version it read; without one the save is refused."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": "This save does not say which version it read. Reload and try again."},
    )

    def __init__(self, *args, journey: Journey | None = None, **kwargs) -> None:
        self.journey = journey
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version


class JourneyCreateForm(forms.ModelForm):
    template = forms.ChoiceField(
        choices=[(key, spec["label"]) for key, spec in MAP_TEMPLATES.items()], initial="telehealth"
    )

    class Meta:
        model = Journey
        fields = ["title", "persona", "kind", "observes", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.workspace = workspace  # the model's checks compare with it
        self.fields["observes"].queryset = Journey.objects.filter(workspace=workspace, kind=JourneyKind.DESIGNED)


class JourneyForm(VersionedForm):
    class Meta:
        model = Journey
        fields = JOURNEY_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "last_reviewed_at": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["observes"].queryset = Journey.objects.filter(
            workspace_id=self.instance.workspace_id, kind=JourneyKind.DESIGNED
        ).exclude(pk=self.instance.pk)


class StageForm(VersionedForm):
    class Meta:
        model = Stage
        fields = STAGE_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class StageCreateForm(forms.ModelForm):
    class Meta:
        model = Stage
        fields = ["name"]


class LaneForm(VersionedForm):
    class Meta:
        model = Lane
        fields = LANE_FIELDS


class LaneCreateForm(forms.ModelForm):
    class Meta:
        model = Lane
        fields = LANE_FIELDS


class MoveForm(forms.Form):
    """Where a card, stage or lane goes: an absolute position or a step."""

    version = forms.IntegerField(min_value=1, error_messages={"required": "This move does not say which version it read."})
    position = forms.IntegerField(min_value=0, required=False)
    step = forms.TypedChoiceField(choices=[(-1, "back"), (1, "forward")], coerce=int, required=False, empty_value=None)
    stage = forms.IntegerField(required=False)
    lane = forms.IntegerField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("position") is None and data.get("step") is None:
            raise forms.ValidationError("Say where to move it.")
        return data

    def target_position(self, current: int) -> int:
        if self.cleaned_data.get("position") is not None:
            return self.cleaned_data["position"]
        return max(0, current + self.cleaned_data["step"])


_card_form_classes: dict[type, type] = {}


def card_form_class(model: type[Card]) -> type[VersionedForm]:
    """A form with the fields of this card kind, made once per kind."""
    if model not in _card_form_classes:
        textareas = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("body", "expectation", "experience", "evidence")
        }
        meta = type("Meta", (), {"model": model, "fields": card_fields(model), "widgets": textareas})
        _card_form_classes[model] = type(f"{model.__name__}Form", (CardFormBase,), {"Meta": meta})
    return _card_form_classes[model]


class CardFormBase(VersionedForm):
    def __init__(self, *args, journey: Journey, **kwargs) -> None:
        super().__init__(*args, journey=journey, **kwargs)
        if self.instance.journey_id is None:  # a new card: the model's checks compare with its map
            self.instance.journey = journey
        teams = Team.objects.filter(workspace_id=journey.workspace_id)
        for name in ("owner_team", "from_team", "to_team"):
            if name in self.fields:
                self.fields[name].queryset = teams
        if "to_stage" in self.fields:
            self.fields["to_stage"].queryset = journey.stages.all()
        if "handoff" in self.fields:
            self.fields["handoff"].queryset = Transition.objects.filter(journey=journey, deleted_at=None)


class CardCreateMixin:
    """A new card has no version yet."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["version"]


def card_create_form_class(model: type[Card]) -> type[forms.ModelForm]:
    base = card_form_class(model)
    return type(f"{model.__name__}CreateForm", (CardCreateMixin, base), {})
