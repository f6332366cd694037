from allauth.account import views as account_views
from django.urls import include, path
from django.views.generic import RedirectView

# Django's admin is not mounted: no model is registered with it, and its sign-in would be a second door
# without the limits below. Accounts (sign-in with its limits, email, password, two-factor, sessions,
# single sign-on) are django-allauth's, under /accounts/.
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="maps:list"), name="home"),
    # The names the app has always used for sign-in and sign-out.
    path("accounts/login/", account_views.login, name="login"),
    path("accounts/logout/", account_views.logout, name="logout"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("workspaces.urls")),
    path("", include("maps.urls")),
    path("", include("diagnostics.urls")),
    path("", include("stakeholders.urls")),
    path("", include("compliance.urls")),
    path("", include("reports.urls")),
    path("", include("workshop.urls")),
    path("", include("interchange.urls")),
    path("", include("comments.urls")),
    path("", include("notifications.urls")),
    path("", include("live.urls")),
    path("", include("portfolio.urls")),
    path("api/", include("api.urls")),
    path("", include("api.token_urls")),
]
