from django.contrib import admin
from django.urls import include, path

from sputnik.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("sputnik.web.urls")),
    path("", include("sputnik.parties.urls")),
    path("", include("sputnik.activities.urls")),
]
