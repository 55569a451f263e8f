from django.urls import URLPattern, URLResolver, path

from sputnik.sales.views import board, deals
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
    # pipelines and the board
    path("board/", board.board_default, name="board_default"),
    path("pipelines/<id:pipeline_id>/board/", board.board, name="board"),
    path(
        "pipelines/<id:pipeline_id>/board/stages/<id:stage_id>/cards/",
        board.board_column,
        name="board_column",
    ),
    # deals
    path("deals/", deals.deal_list, name="deal_list"),
    path("deals/new/", deals.deal_create, name="deal_create"),
    path("deals/<id:deal_id>/", deals.deal_detail, name="deal_detail"),
    path("deals/<id:deal_id>/edit/", deals.deal_edit, name="deal_edit"),
    path("deals/<id:deal_id>/history/", deals.deal_history, name="deal_history"),
    path("deals/<id:deal_id>/move/", board.deal_move, name="deal_move"),
    path("deals/<id:deal_id>/win/", deals.deal_win, name="deal_win"),
    path("deals/<id:deal_id>/lose/", board.deal_lose, name="deal_lose"),
    path("deals/<id:deal_id>/lines/new/", deals.deal_line_add, name="deal_line_add"),
    path(
        "deals/<id:deal_id>/lines/<id:line_id>/edit/",
        deals.deal_line_edit,
        name="deal_line_edit",
    ),
    path(
        "deals/<id:deal_id>/lines/<id:line_id>/delete/",
        deals.deal_line_delete,
        name="deal_line_delete",
    ),
    path("deals/<id:deal_id>/trade-in/", deals.deal_trade_in, name="deal_trade_in"),
    path(
        "deals/<id:deal_id>/trade-in/remove/",
        deals.deal_trade_in_remove,
        name="deal_trade_in_remove",
    ),
    path("deals/<id:deal_id>/handover/", deals.deal_handover, name="deal_handover"),
    # the deals panel of a person's card
    path("persons/<id:person_id>/deals/", deals.person_deals, name="person_deals"),
]
