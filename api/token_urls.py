from django.urls import path

from . import token_views

app_name = "api_tokens"

urlpatterns = [
    path("account/api-tokens/", token_views.api_tokens, name="list"),
    path("account/api-tokens/<int:token_id>/revoke/", token_views.api_token_revoke, name="revoke"),
]
