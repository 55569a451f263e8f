from django.urls import path

from sputnik.analytics import views

app_name = "analytics"

urlpatterns = [
    path("analytics/sales/", views.sales, name="sales"),
    path("analytics/sales/export.csv", views.sales_csv, name="sales_csv"),
]
