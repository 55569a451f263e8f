from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from sputnik.api import api

# Password reset by e-mail is left out until the e-mail channel exists; administrators
# reset passwords in the admin.
accounts = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include(accounts)),
    path("", include("sputnik.web.urls")),
    path("", include("sputnik.parties.urls")),
    path("", include("sputnik.activities.urls")),
    path("", include("sputnik.documents.urls")),
    path("", include("sputnik.sales.urls")),
    path("", include("sputnik.marketing.urls")),
    path("", include("sputnik.analytics.urls")),
]
