from django.urls import URLPattern, URLResolver, path

from sputnik.documents import views
from sputnik.web import converters  # noqa: F401 - registers the "id" converter

app_name = "documents"

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "persons/<id:person_id>/documents/",
        views.person_documents_panel,
        name="person_documents",
    ),
    path(
        "companies/<id:company_id>/documents/",
        views.company_documents_panel,
        name="company_documents",
    ),
    path(
        "persons/<id:person_id>/documents/<id:document_id>/",
        views.document_download,
        name="document_download",
    ),
    path(
        "companies/<id:company_id>/documents/<id:document_id>/",
        views.company_document_download,
        name="company_document_download",
    ),
]
