from django.urls import path

from sputnik.parties import views
from sputnik.parties.views import consents as consent_views
from sputnik.parties.views import dedup as dedup_views
from sputnik.parties.views import exports as export_views
from sputnik.parties.views import imports as import_views
from sputnik.web import converters  # noqa: F401 - registers the "id" converter

app_name = "parties"

urlpatterns = [
    path("persons/", views.person_list, name="person_list"),
    path("persons/new/", views.person_create, name="person_create"),
    path("persons/autocomplete/", views.person_autocomplete, name="person_autocomplete"),
    path(
        "persons/duplicates/check/",
        dedup_views.person_duplicates_check,
        name="person_duplicates_check",
    ),
    path("persons/<id:person_id>/merge/", dedup_views.person_merge_view, name="person_merge"),
    path(
        "persons/<id:person_id>/duplicates/",
        dedup_views.person_duplicates_panel,
        name="person_duplicates",
    ),
    path("duplicates/", dedup_views.dedup_queue, name="dedup_queue"),
    path("duplicates/run/", dedup_views.dedup_run, name="dedup_run"),
    path("duplicates/runs/<id:run_id>/", dedup_views.dedup_run_status, name="dedup_run_status"),
    path("duplicates/<id:cluster_id>/", dedup_views.dedup_cluster, name="dedup_cluster"),
    path("duplicates/<id:cluster_id>/dismiss/", dedup_views.dedup_dismiss, name="dedup_dismiss"),
    # Exports of the lists as filtered, and vCard import (views/exports.py).
    path("persons/export/", export_views.person_export, name="person_export"),
    path("persons/import/vcard/", export_views.person_vcard_import, name="person_vcard_import"),
    path("companies/export/", export_views.company_export, name="company_export"),
    path("exports/<id:export_id>/", export_views.export_status, name="export_status"),
    path("exports/<id:export_id>/download/", export_views.export_download, name="export_download"),
    path("persons/<id:person_id>/", views.person_detail, name="person_detail"),
    # The card's consent panel (views/consents.py).
    path("persons/<id:person_id>/consents/", consent_views.person_consents, name="person_consents"),
    path(
        "persons/<id:person_id>/consents/new/",
        consent_views.person_consent_give,
        name="person_consent_give",
    ),
    path(
        "persons/<id:person_id>/consents/withdraw/",
        consent_views.person_consent_withdraw,
        name="person_consent_withdraw",
    ),
    path(
        "persons/<id:person_id>/consent-form.pdf",
        consent_views.person_consent_form_pdf,
        name="person_consent_form_pdf",
    ),
    path("persons/<id:person_id>/edit/", views.person_edit, name="person_edit"),
    path("persons/<id:person_id>/stage/", views.person_stage, name="person_stage"),
    path("persons/<id:person_id>/transfer/", views.person_transfer, name="person_transfer"),
    path("persons/<id:person_id>/delete/", views.person_delete, name="person_delete"),
    path("persons/<id:person_id>/history/", views.person_history, name="person_history"),
    path(
        "persons/<id:person_id>/relations/new/",
        views.person_relation_add,
        name="person_relation_add",
    ),
    path(
        "persons/<id:person_id>/relations/<id:relation_id>/delete/",
        views.person_relation_delete,
        name="person_relation_delete",
    ),
    path(
        "persons/<id:person_id>/company-roles/new/",
        views.person_company_role_add,
        name="person_company_role_add",
    ),
    path(
        "persons/<id:person_id>/company-roles/<id:company_role_id>/delete/",
        views.person_company_role_delete,
        name="person_company_role_delete",
    ),
    path("persons/<id:person_id>/assets/new/", views.person_asset_add, name="person_asset_add"),
    path(
        "persons/<id:person_id>/assets/<id:asset_id>/delete/",
        views.person_asset_delete,
        name="person_asset_delete",
    ),
    path("persons/<id:person_id>/dates/new/", views.person_date_add, name="person_date_add"),
    path(
        "persons/<id:person_id>/addresses/new/",
        views.person_address_add,
        name="person_address_add",
    ),
    path("companies/", views.company_list, name="company_list"),
    path("companies/new/", views.company_create, name="company_create"),
    path("companies/autocomplete/", views.company_autocomplete, name="company_autocomplete"),
    path("companies/<id:company_id>/", views.company_detail, name="company_detail"),
    path("companies/<id:company_id>/edit/", views.company_edit, name="company_edit"),
    path("companies/<id:company_id>/delete/", views.company_delete, name="company_delete"),
    path("companies/<id:company_id>/history/", views.company_history, name="company_history"),
    # Imports of persons and companies from CSV/XLSX (views/imports.py).
    path("imports/", import_views.import_list, name="import_list"),
    path("imports/new/", import_views.import_new, name="import_new"),
    path("imports/<id:batch_id>/", import_views.import_detail, name="import_detail"),
    path("imports/<id:batch_id>/columns/", import_views.import_mapping, name="import_mapping"),
    path("imports/<id:batch_id>/progress/", import_views.import_progress, name="import_progress"),
    path("imports/<id:batch_id>/check/", import_views.import_check, name="import_check"),
    path("imports/<id:batch_id>/run/", import_views.import_run, name="import_run"),
    path("imports/<id:batch_id>/undo/", import_views.import_undo, name="import_undo"),
    path("imports/<id:batch_id>/errors.csv", import_views.import_errors, name="import_errors"),
]

# Prospect distribution (V3): leads, transfers, the report; routes in its own package.
from sputnik.parties.distribution.urls import urlpatterns as _distribution_urls  # noqa: E402

urlpatterns += _distribution_urls
