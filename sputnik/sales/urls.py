from django.urls import URLPattern, URLResolver, path

from sputnik.sales.views import catalogue as catalogue_views
from sputnik.sales.views import configurator as configurator_views
from sputnik.sales.views import public as public_views
from sputnik.web import converters  # noqa: F401 - registers the "id" converter

app_name = "sales"

urlpatterns: list[URLPattern | URLResolver] = [
    # catalogue and configurator (CRM)
    path("catalogue/", catalogue_views.catalogue, name="catalogue"),
    path("catalogue/<id:product_id>/", catalogue_views.product_detail, name="product_detail"),
    path(
        "catalogue/<id:product_id>/configure/",
        configurator_views.configurator,
        name="configurator",
    ),
    path(
        "catalogue/<id:product_id>/configure/save/",
        configurator_views.configurator_save,
        name="configurator_save",
    ),
    path("catalogue/images/<id:image_id>/", catalogue_views.product_image, name="product_image"),
    path(
        "catalogue/option-images/<id:option_id>/", catalogue_views.option_image, name="option_image"
    ),
    # the public configurator (no sign-in)
    path("configure/", public_views.public_models, name="public_models"),
    path("configure/thanks/", public_views.public_thanks_generic, name="public_thanks_generic"),
    path("configure/thanks/<str:reference>/", public_views.public_thanks, name="public_thanks"),
    path("configure/<str:sku>/", public_views.public_configure, name="public_configure"),
    path("configure/<str:sku>/order/", public_views.public_order, name="public_order"),
]
