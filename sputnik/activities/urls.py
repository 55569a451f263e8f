from django.urls import path

from sputnik.activities import views
from sputnik.web import converters  # noqa: F401 - registers the "id" converter

app_name = "activities"

urlpatterns = [
    path("persons/<id:person_id>/timeline/", views.timeline, name="timeline"),
    path("persons/<id:person_id>/notes/", views.note_create, name="note_create"),
    path("persons/<id:person_id>/calls/", views.call_log, name="call_log"),
]
