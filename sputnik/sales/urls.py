from django.urls import URLPattern, URLResolver, path

from sputnik.sales.views import board, deals, order_status_public, orders, quotes
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
    # the deals panel of a company's card
    path("companies/<id:company_id>/deals/", deals.company_deals, name="company_deals"),
    # quotes and orders (issue 4, S3/S4)
    path("deals/<id:deal_id>/quotes/", quotes.deal_quotes_panel, name="deal_quotes_panel"),
    path("deals/<id:deal_id>/quotes/new/", quotes.quote_create, name="quote_create"),
    path("quotes/<id:quote_id>/", quotes.quote_detail, name="quote_detail"),
    path("quotes/<id:quote_id>/edit/", quotes.quote_edit, name="quote_edit"),
    path("quotes/<id:quote_id>/send/", quotes.quote_send, name="quote_send"),
    path("quotes/<id:quote_id>/accept/", quotes.quote_accept, name="quote_accept"),
    path("quotes/<id:quote_id>/decline/", quotes.quote_decline, name="quote_decline"),
    path("quotes/<id:quote_id>/revise/", quotes.quote_revise, name="quote_revise"),
    path("quotes/<id:quote_id>/pdf/", quotes.quote_pdf, name="quote_pdf"),
    path("quotes/<id:quote_id>/order/", orders.order_from_quote, name="order_from_quote"),
    path("orders/", orders.order_list, name="order_list"),
    path("orders/<id:order_id>/", orders.order_detail, name="order_detail"),
    path("orders/<id:order_id>/status/", orders.order_status_change, name="order_status_change"),
    path("orders/<id:order_id>/link/", orders.order_link_issue, name="order_link_issue"),
    path("orders/<id:order_id>/link/revoke/", orders.order_link_revoke, name="order_link_revoke"),
    path("persons/<id:person_id>/orders/", orders.person_orders_panel, name="person_orders_panel"),
    path(
        "persons/<id:person_id>/orders/new/", orders.person_order_create, name="person_order_create"
    ),
    # the customer's order-status page (no sign-in; a signed link)
    path("status/<str:token>/", order_status_public.order_status_page, name="order_status_page"),
]
