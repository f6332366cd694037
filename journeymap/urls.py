from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="maps:list"), name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("workspaces.urls")),
    path("", include("maps.urls")),
    path("", include("diagnostics.urls")),
    path("", include("stakeholders.urls")),
    path("", include("compliance.urls")),
    path("", include("reports.urls")),
    path("", include("workshop.urls")),
    path("", include("interchange.urls")),
    path("", include("comments.urls")),
    path("", include("live.urls")),
    path("", include("portfolio.urls")),
    path("api/", include("api.urls")),
    path("", include("api.token_urls")),
]
