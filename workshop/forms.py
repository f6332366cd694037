from django import forms

from .models import MAX_DOTS, VoteSession
from .services import MAX_SHARE_DAYS, MAX_TIMER_MINUTES


class VoteOpenForm(forms.ModelForm):
    class Meta:
        model = VoteSession
        fields = ["target", "dots_per_person"]
        widgets = {"dots_per_person": forms.NumberInput(attrs={"min": 1, "max": MAX_DOTS})}


class TimerForm(forms.Form):
    minutes = forms.IntegerField(min_value=1, max_value=MAX_TIMER_MINUTES, initial=10)


class ShareLinkForm(forms.Form):
    label = forms.CharField(max_length=120, required=False, help_text="Who or what it is for, e.g. “Room 4 projector”.")
    days = forms.IntegerField(label="Works for (days)", min_value=1, max_value=MAX_SHARE_DAYS, initial=7)
