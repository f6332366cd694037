"""Starts the test OpenID provider: migrates its database, creates the people and the client, serves.

    python -m tests.oidc_provider.serve PORT REDIRECT_URI CLIENT_ID CLIENT_SECRET USERS_JSON
"""

import json
import os
import sys


def main() -> None:
    port, redirect_uri, client_id, client_secret, users = sys.argv[1:6]
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    for person in json.loads(users):
        get_user_model().objects.create_user(**person)
    Application.objects.create(
        name="Journeymap", client_id=client_id, client_secret=client_secret, redirect_uris=redirect_uri,
        client_type=Application.CLIENT_CONFIDENTIAL, authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        skip_authorization=True, algorithm=Application.RS256_ALGORITHM,
    )
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True, skip_checks=True)


if __name__ == "__main__":
    main()
