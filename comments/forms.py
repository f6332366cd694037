from django import forms

from .models import BODY_MAX


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment", max_length=BODY_MAX, strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Write a comment; @username mentions a member"}),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CommentEditForm(forms.Form):
    body = forms.CharField(label="Comment", max_length=BODY_MAX, strip=True, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
