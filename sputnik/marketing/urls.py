from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from sputnik.marketing import public_views, views
from sputnik.web import converters  # noqa: F401 - registers the "id" converter

app_name = "marketing"

urlpatterns: list[URLPattern | URLResolver] = [
    path("marketing/forms/", views.form_list, name="form_list"),
    path("marketing/forms/new/", views.form_create, name="form_create"),
    path("marketing/forms/<id:form_id>/", views.form_detail, name="form_detail"),
    path("marketing/forms/<id:form_id>/edit/", views.form_edit, name="form_edit"),
    path(
        "persons/<id:person_id>/web-forms/",
        views.person_submissions,
        name="person_submissions",
    ),
    # Public: what the company's sites embed and post to (no sign-in).
    path("f/<slug:public_key>/", public_views.public_form, name="public_form"),
    path("f/<slug:public_key>/submit", public_views.public_submit, name="public_submit"),
    path("f/<slug:public_key>/thanks/", public_views.public_thanks, name="public_thanks"),
]
