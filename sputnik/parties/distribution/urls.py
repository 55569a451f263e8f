"""Routes of distribution, appended to the parties app's (namespace "parties")."""

from django.urls import path

from sputnik.parties.views import distribution as views
from sputnik.web import converters  # noqa: F401 - registers the "id" converter

urlpatterns = [
    path("distribution/rules/", views.rules, name="distribution_rules"),
    path("distribution/leads/", views.leads, name="distribution_leads"),
    path("distribution/take/", views.take, name="distribution_take"),
    path("distribution/who-holds/", views.owner_lookup, name="distribution_lookup"),
    path("distribution/report/", views.report, name="distribution_report"),
    path("distribution/report.csv", views.report_csv, name="distribution_report_csv"),
    path("distribution/transfers/", views.transfer_inbox, name="transfer_inbox"),
    path(
        "distribution/transfers/new/",
        views.transfer_request_create,
        name="transfer_request_create",
    ),
    path(
        "distribution/transfers/<id:request_id>/",
        views.transfer_request_detail,
        name="transfer_request_detail",
    ),
    path(
        "distribution/transfers/<id:request_id>/approve/",
        views.transfer_request_approve,
        name="transfer_request_approve",
    ),
    path(
        "distribution/transfers/<id:request_id>/reject/",
        views.transfer_request_reject,
        name="transfer_request_reject",
    ),
    path(
        "distribution/transfers/<id:request_id>/cancel/",
        views.transfer_request_cancel,
        name="transfer_request_cancel",
    ),
    path("persons/<id:person_id>/ownership/", views.card_panel, name="distribution_card"),
    path("persons/<id:person_id>/assign/", views.assign, name="distribution_assign"),
]
