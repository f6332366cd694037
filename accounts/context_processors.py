from django.contrib.auth import get_user_model


def first_account(request) -> dict:
    """Whether the install has no account yet; asked only by the pages that show it (a callable)."""
    return {"first_account": lambda: not get_user_model().objects.exists()}
