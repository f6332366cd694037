from django import forms
from django.conf import settings


class MapImportForm(forms.Form):
    file = forms.FileField(label="Map file",
                           help_text="A Journeymap JSON export (.json) or an OpenJourney map (.ojf).")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.INTERCHANGE_MAX_UPLOAD_BYTES
        if upload.size > limit:  # refused before a byte of it is read
            raise forms.ValidationError(f"The file is {upload.size / 1_048_576:.1f} MB; the largest map file "
                                        f"accepted is {limit / 1_048_576:.1f} MB.")
        return upload
