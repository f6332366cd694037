from django import forms

from .models import Role


class InviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices, initial=Role.EDITOR)


class WorkspaceForm(forms.Form):
    name = forms.CharField(max_length=120)


class TeamForm(forms.Form):
    name = forms.CharField(max_length=60)


class TeamRenameForm(TeamForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class TeamDeleteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AcceptForm(forms.Form):
    """A person without an account picks a username, a name and a password to accept."""

    username = forms.CharField(max_length=150, help_text="Letters, digits and @ . + - _ only.")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), min_length=8)


class TwoFactorForm(forms.Form):
    require_two_factor = forms.BooleanField(required=False, label="Members must sign in with an authenticator code")


class ActivityFilterForm(forms.Form):
    """Narrows an activity list (a map's, a workspace's) to one person, one kind of thing and a range of dates."""

    actor = forms.TypedChoiceField(label="Person", required=False, coerce=int, empty_value=None)
    entity = forms.ChoiceField(label="Kind", required=False)
    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, people=(), kinds=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = [("", "Anyone")] + [(p.pk, p.get_full_name() or p.username) for p in people]
        self.fields["entity"].choices = [("", "Anything")] + list(kinds)
