"""Forms parse and validate what people type; the services decide what happens."""

from django import forms

from workspaces.models import Team

from .map_templates import MAP_TEMPLATES
from .models import Card, Journey, JourneyKind, Lane, Opportunity, Stage, Transition, UserState
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


class RangeInput(forms.NumberInput):
    """A slider; the card editor shows its value and what its ends mean next to it."""

    input_type = "range"


class Chips(forms.RadioSelect):
    """Radio buttons drawn as chips (templates/maps/card_editor.html): one choice, seen at a glance."""


def _slider(low: int, high: int) -> RangeInput:
    return RangeInput(attrs={"min": low, "max": high, "step": 1})


# What each end of a slider means, said next to it.
SLIDER_ENDS = {"confidence": {-5: "Lost", 1: "Unsure", 5: "Confident"}, "impact": {1: "Small", 5: "Large"},
               "effort": {1: "Little", 5: "A lot"}}

CARD_WIDGETS = {
    "body": forms.Textarea(attrs={"rows": 3}),
    "expectation": forms.Textarea(attrs={"rows": 3}),
    "experience": forms.Textarea(attrs={"rows": 3}),
    "evidence": forms.Textarea(attrs={"rows": 3}),
    "channel": Chips, "data_classification": Chips, "communication_sensitivity": Chips,
    "friction_kind": Chips, "severity": Chips, "status": Chips, "risk": Chips,
}

# The editor's layout per card model: rows of fields, two or three side by side where they pair up
# (what the brand promises next to what the user meets). Fields a model lacks are skipped.
CARD_LAYOUT = {
    "Card": [["title"], ["body"], ["owner_team"]],
    "UserState": [["title"], ["doing"], ["thinking", "feeling"], ["needing", "questioning"], ["confidence"], ["body"]],
    "Touchpoint": [["title"], ["channel"], ["expectation", "experience"], ["data_classification"],
                   ["communication_sensitivity"], ["needs_legal_review"], ["owner_team"], ["body"]],
    "FrictionPoint": [["title"], ["friction_kind"], ["severity"], ["status"], ["evidence"], ["owner_team"], ["body"]],
    "Opportunity": [["title"], ["impact", "confidence", "effort"], ["status"], ["handoff"], ["owner_team"], ["body"]],
    "Transition": [["title"], ["from_team", "to_team"], ["to_stage"], ["risk"], ["observed_dropoff"], ["owner_team"],
                   ["body"]],
}

# Kinds whose cards no team owns: what the user does, thinks and feels, and free notes.
UNOWNED_KINDS = {"actions", "user_state", "notes"}


class EditorBoundField(forms.BoundField):
    """The field the editor opens on takes focus, with or without JavaScript: the first invalid one, or
    the first one. (Not on a group of radios: each would carry it.)"""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.name == self.form.focus_field and not isinstance(self.field.widget, forms.RadioSelect):
            attrs["autofocus"] = True
        return attrs

    @property
    def ends(self) -> tuple[tuple[str, str], tuple[str, str]]:
        """A slider's two ends: (number, what it means) each, "+5" signed when the scale goes below zero."""
        low, high = self.field.widget.attrs["min"], self.field.widget.attrs["max"]
        words = SLIDER_ENDS.get(self.name, {})
        sign = "+" if low < 0 else ""
        return (f"{low}".replace("-", "−"), words.get(low, "")), (f"{sign}{high}", words.get(high, ""))


_card_form_classes: dict[type, type] = {}


def card_form_class(model: type[Card]) -> type[VersionedForm]:
    """A form with the fields of this card kind, made once per kind."""
    if model not in _card_form_classes:
        widgets = {name: widget for name, widget in CARD_WIDGETS.items()}
        if model is UserState:
            widgets["confidence"] = _slider(-5, 5)
        elif model is Opportunity:
            widgets |= {name: _slider(1, 5) for name in ("impact", "effort", "confidence")}
        meta = type("Meta", (), {"model": model, "fields": card_fields(model), "widgets": widgets})
        _card_form_classes[model] = type(f"{model.__name__}Form", (CardFormBase,), {"Meta": meta})
    return _card_form_classes[model]


class CardFormBase(VersionedForm):
    bound_field_class = EditorBoundField
    # The map's revision when the form was read: a save behind someone else's merges with theirs when the
    # two changed different fields (`services.card_update`).
    read_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(self, *args, journey: Journey, kind: str = "", **kwargs) -> None:
        super().__init__(*args, journey=journey, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["read_revision"] = journey.revision
        if self.instance.journey_id is None:  # a new card: the model's checks compare with its map
            self.instance.journey = journey
        self.kind = kind or self.instance.kind
        if self.kind in UNOWNED_KINDS:
            del self.fields["owner_team"]
        teams = Team.objects.filter(workspace_id=journey.workspace_id)
        for name in ("owner_team", "from_team", "to_team"):
            if name in self.fields:
                self.fields[name].queryset = teams
        if "to_stage" in self.fields:
            self.fields["to_stage"].queryset = journey.stages.all()
        if "handoff" in self.fields:
            self.fields["handoff"].queryset = Transition.objects.filter(journey=journey, deleted_at=None)

    @property
    def focus_field(self) -> str:
        visible = [field.name for row in self.rows() for field in row]  # in the order the editor shows them
        if self.is_bound and self.errors:
            invalid = [name for name in visible if name in self.errors]
            if invalid:
                return invalid[0]
        return visible[0] if visible else ""

    def rows(self) -> list[list[forms.BoundField]]:
        """The visible fields in the editor's layout for this kind; any field the layout forgot comes last."""
        layout = CARD_LAYOUT.get(self._meta.model.__name__, CARD_LAYOUT["Card"])
        placed, rows = set(), []
        for names in layout:
            row = [self[name] for name in names if name in self.fields]
            placed.update(names)
            if row:
                rows.append(row)
        rows += [[field] for field in self.visible_fields() if field.name not in placed]
        return rows


class CardCreateMixin:
    """A new card has no version yet."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["version"], self.fields["read_revision"]


def card_create_form_class(model: type[Card]) -> type[forms.ModelForm]:
    base = card_form_class(model)
    return type(f"{model.__name__}CreateForm", (CardCreateMixin, base), {})
