from django import forms
from django.contrib.auth import get_user_model

from .models import Role


class InviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices, initial=Role.EDITOR)


class WorkspaceForm(forms.Form):
    name = forms.CharField(max_length=120)


class TeamForm(forms.Form):
    name = forms.CharField(max_length=60)


class AcceptForm(forms.Form):
    """A person without an account picks a username and password to accept."""

    username = forms.CharField(max_length=150, validators=[get_user_model().username_validator])
    password = forms.CharField(widget=forms.PasswordInput, min_length=8)

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That username is taken. Choose another, or sign in first if it is yours.")
        return username
