from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from .models import EmailSettings


@transaction.atomic
def email_settings_update(*, user: AbstractBaseUser, **choices: bool) -> EmailSettings:
    email_settings, _ = EmailSettings.objects.select_for_update().get_or_create(user=user)
    for name, value in choices.items():
        if name not in ("mentions", "digest"):
            raise ValueError(name)
        setattr(email_settings, name, bool(value))
    email_settings.full_clean()
    email_settings.save()
    return email_settings
