from django import forms

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

    username = forms.CharField(max_length=150)
    password = forms.CharField(widget=forms.PasswordInput, min_length=8)
