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
    """A person without an account picks a username, a name and a password to accept."""

    username = forms.CharField(max_length=150, help_text="Letters, digits and @ . + - _ only.")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), min_length=8)


class TwoFactorForm(forms.Form):
    require_two_factor = forms.BooleanField(required=False, label="Members must sign in with an authenticator code")
