from django.urls import path

from sputnik.activities import tasks_views, views
from sputnik.web import converters  # noqa: F401 - registers the "id" converter

app_name = "activities"

urlpatterns = [
    path("persons/<id:person_id>/timeline/", views.timeline, name="timeline"),
    path("persons/<id:person_id>/notes/", views.note_create, name="note_create"),
    path("persons/<id:person_id>/calls/", views.call_log, name="call_log"),
    path(
        "persons/<id:person_id>/timeline/<id:interaction_id>/",
        views.interaction_entry,
        name="interaction_entry",
    ),
    path(
        "persons/<id:person_id>/timeline/<id:interaction_id>/edit/",
        views.interaction_edit,
        name="interaction_edit",
    ),
    path(
        "persons/<id:person_id>/timeline/<id:interaction_id>/delete/",
        views.interaction_delete,
        name="interaction_delete",
    ),
    path("tasks/", tasks_views.my_tasks, name="my_tasks"),
    path("tasks/new/", tasks_views.task_create, name="task_create"),
    path("tasks/<id:task_id>/edit/", tasks_views.task_edit, name="task_edit"),
    path("tasks/<id:task_id>/complete/", tasks_views.task_complete, name="task_complete"),
    path("tasks/<id:task_id>/cancel/", tasks_views.task_cancel, name="task_cancel"),
    path(
        "persons/<id:person_id>/tasks/new/",
        tasks_views.person_task_create,
        name="person_task_create",
    ),
]
