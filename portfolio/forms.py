"""Forms parse and validate what people type; the services decide what happens."""

from django import forms

from maps.models import Journey
from stakeholders.forms import VersionField
from stakeholders.models import Stakeholder

from .models import Persona
from .services import PERSONA_FIELDS


class PersonaForm(forms.ModelForm):
    class Meta:
        model = Persona
        fields = PERSONA_FIELDS
        widgets = {"avatar": forms.RadioSelect, **{name: forms.Textarea(attrs={"rows": 3})
                                                   for name in ("goals", "needs", "frustrations", "context")}}

    def __init__(self, *args, workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.instance.workspace = workspace
        self.fields["stakeholder"].queryset = Stakeholder.objects.filter(workspace=workspace)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        others = Persona.objects.filter(workspace=self.workspace, name__iexact=name).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError("This workspace already has a persona with that name.")
        return name


class PersonaEditForm(PersonaForm):
    version = VersionField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version


class MapPersonasForm(forms.Form):
    primary = forms.ModelChoiceField(queryset=Persona.objects.none(), required=False, label="Primary persona")
    others = forms.ModelMultipleChoiceField(queryset=Persona.objects.none(), required=False,
                                            widget=forms.CheckboxSelectMultiple, label="Other personas")
    version = VersionField()

    def __init__(self, *args, journey: Journey, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        personas = Persona.objects.filter(workspace_id=journey.workspace_id)
        self.fields["primary"].queryset = personas
        self.fields["others"].queryset = personas
        if not self.is_bound:
            links = list(journey.map_personas.all())
            self.initial = {"version": journey.version,
                            "primary": next((m.persona_id for m in links if m.is_primary), None),
                            "others": [m.persona_id for m in links if not m.is_primary]}


class StageLinkForm(forms.Form):
    detail = forms.ModelChoiceField(queryset=Journey.objects.none(), required=False, label="Detailed by the map",
                                    empty_label="— no map —")

    def __init__(self, *args, journey: Journey, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["detail"].queryset = Journey.objects.filter(workspace_id=journey.workspace_id).exclude(
            pk=journey.pk)


class DuplicateForm(forms.Form):
    title = forms.CharField(max_length=200)
    with_healthcare = forms.BooleanField(required=False, initial=True,
                                         label="Copy the healthcare layer (sub-maps, checkpoints, safety)")
    with_metrics = forms.BooleanField(required=False, initial=True, label="Copy the stage metrics")
    with_comments = forms.BooleanField(required=False, initial=False, label="Copy the comments")


class TemplateSaveForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, journey: Journey, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.journey = journey

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if self.journey.workspace.map_templates.filter(name__iexact=name).exists():
            raise forms.ValidationError("This workspace already has a template with that name.")
        return name


class UseTemplateForm(forms.Form):
    title = forms.CharField(max_length=200, label="Title of the new map")
