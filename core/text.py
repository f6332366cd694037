"""Text people type: control characters (pasted from a terminal: backspace, escape, delete...)
have no place in it. They are refused where text enters, and left out of anything that
writes XML (SVG, PNG), so text stored before this rule cannot break an export either."""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

# C0 controls except tab, line feed and carriage return; DEL and the C1 controls; the two
# non-characters XML 1.0 forbids.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def without_control_characters(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)


@deconstructible
class NoControlCharacters:
    message = ("This text contains an invisible control character (such as a backspace or an escape, often "
               "pasted from a terminal). Remove it and save again.")
    code = "control_character"

    def __call__(self, value: object) -> None:
        if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoControlCharacters)


refuse_control_characters = NoControlCharacters()


def guard_text_fields(models) -> None:
    """Every text field of these models refuses control characters in `full_clean()`, which every
    service, every model form and the API run before a save. The validator joins the field's
    resolved validators, not its declared ones, so migrations do not see it."""
    from django.db.models import CharField, TextField

    for model in models:
        for field in model._meta.local_fields:
            if isinstance(field, (CharField, TextField)) and refuse_control_characters not in field.validators:
                field.validators.append(refuse_control_characters)
