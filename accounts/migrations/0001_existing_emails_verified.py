"""Accounts made before django-allauth keep signing in: their email, set by whoever created them, is
recorded as verified (allauth requires a verified address to sign in)."""

from django.conf import settings
from django.db import migrations


def record_existing_emails(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    EmailAddress = apps.get_model("account", "EmailAddress")
    taken = {email.lower() for email in EmailAddress.objects.values_list("email", flat=True)}
    for user in User.objects.exclude(email="").order_by("pk"):
        if user.email.lower() in taken:
            continue  # two accounts shared an address: the first keeps it
        taken.add(user.email.lower())
        EmailAddress.objects.create(user=user, email=user.email.lower(), verified=True, primary=True)


class Migration(migrations.Migration):
    dependencies = [
        ("account", "0009_emailaddress_unique_primary_email"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(record_existing_emails, migrations.RunPython.noop)]
