"""Every route has an access policy, and every record-scoped route hides other centres' records.

A new URL without an entry in POLICY fails this test. For each record-scoped route and
every method, a user of centre B asking for centre A's record gets exactly the answer a
non-existent id gets (never a 2xx, never a 403 that confirms it exists), and the database
is unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sputnik.activities.models import Interaction, Task
from sputnik.core.models import AuditEntry
from sputnik.core.services import token_create
from sputnik.parties.models import (
    Asset,
    Company,
    CompanyRole,
    ContactPoint,
    Person,
    Relation,
    TransferRequest,
)
from sputnik.sales.models import Deal, DealLine

PUBLIC = "public"  # anyone: sign-in, language switch, API schema and docs
LOGIN = "login"  # any signed-in user; what they get is scoped by selectors
PERSON = "person"  # scoped to one person (and what hangs off it)
COMPANY = "company"  # scoped to one company
TRANSFER = "transfer"  # one transfer request: the asker, both centres' heads, executives
TASK = "task"  # one task: its assignee and creator, and who sees its person or company
DEAL = "deal"  # scoped to one deal (and what hangs off it)
QUOTE = "quote"  # scoped to one quote: its deal's visibility
ORDER = "order"  # scoped to one order: its deal's visibility
RIGHT = "right"  # signed-in users holding a right (e.g. building lead forms); others 403
IMPORT_BATCH = "import_batch"  # scoped to one import batch: its uploader (and administrators)
CLUSTER = "cluster"  # one duplicate cluster: users who see every person in it
EXPORT = "export"  # one export job: only the user who asked for it

POLICY: dict[str, str] = {
    # quotes, orders and the customer's order-status page (issue 4, S3/S4)
    "sales:deal_quotes_panel": DEAL,
    "sales:quote_create": DEAL,
    "sales:quote_detail": QUOTE,
    "sales:quote_edit": QUOTE,
    "sales:quote_send": QUOTE,
    "sales:quote_accept": QUOTE,
    "sales:quote_decline": QUOTE,
    "sales:quote_revise": QUOTE,
    "sales:quote_pdf": QUOTE,
    "sales:order_from_quote": QUOTE,
    "sales:order_list": LOGIN,
    "sales:order_detail": ORDER,
    "sales:order_status_change": ORDER,
    "sales:order_link_issue": ORDER,
    "sales:order_link_revoke": ORDER,
    "sales:person_orders_panel": PERSON,
    "sales:person_order_create": PERSON,
    "sales:order_status_page": PUBLIC,  # a signed link; bad links are a plain 404
    "api:list_deal_quotes": DEAL,
    "api:create_quote": DEAL,
    "api:get_quote": QUOTE,
    "api:update_quote": QUOTE,
    "api:revise_quote": QUOTE,
    "api:change_quote_status": QUOTE,
    "api:quote_pdf": QUOTE,
    "api:create_order_from_quote": QUOTE,
    "api:list_order_statuses": LOGIN,
    "api:list_orders": LOGIN,
    "api:create_order": LOGIN,
    "api:get_order": ORDER,
    "api:update_order": ORDER,
    "api:change_order_status": ORDER,
    "api:order_history": ORDER,
    "api:issue_order_status_link": ORDER,
    "api:revoke_order_status_link": ORDER,
    # duplicates and merge (issue 3, P8)
    "parties:person_duplicates_check": LOGIN,
    "parties:person_merge": PERSON,
    "parties:person_duplicates": PERSON,
    "parties:dedup_queue": LOGIN,
    "parties:dedup_run": RIGHT,
    "parties:dedup_run_status": RIGHT,
    "parties:dedup_cluster": CLUSTER,
    "parties:dedup_dismiss": CLUSTER,
    "api:find_duplicates": LOGIN,
    # imports of persons and companies (issue 3)
    "parties:import_list": LOGIN,
    "parties:import_new": LOGIN,
    "parties:import_detail": IMPORT_BATCH,
    "parties:import_mapping": IMPORT_BATCH,
    "parties:import_progress": IMPORT_BATCH,
    "parties:import_check": IMPORT_BATCH,
    "parties:import_run": IMPORT_BATCH,
    "parties:import_undo": IMPORT_BATCH,
    "parties:import_errors": IMPORT_BATCH,
    "login": PUBLIC,
    "logout": PUBLIC,
    "password_change": LOGIN,
    "password_change_done": LOGIN,
    "web:home": LOGIN,
    "web:set_language": PUBLIC,
    "parties:person_list": LOGIN,
    "parties:person_create": LOGIN,
    "parties:person_autocomplete": LOGIN,
    "parties:person_detail": PERSON,
    "parties:person_edit": PERSON,
    "parties:person_stage": PERSON,
    "parties:person_transfer": PERSON,
    "parties:person_delete": PERSON,
    "parties:person_history": PERSON,
    "parties:person_relation_add": PERSON,
    "parties:person_relation_delete": PERSON,
    "parties:person_company_role_add": PERSON,
    "parties:person_company_role_delete": PERSON,
    "parties:person_asset_add": PERSON,
    "parties:person_asset_delete": PERSON,
    "parties:person_date_add": PERSON,
    "parties:person_address_add": PERSON,
    "parties:company_list": LOGIN,
    "analytics:sales": LOGIN,
    "analytics:sales_csv": LOGIN,
    "parties:company_create": LOGIN,
    "parties:company_autocomplete": LOGIN,
    "parties:company_detail": COMPANY,
    "parties:company_edit": COMPANY,
    "parties:company_delete": COMPANY,
    "parties:company_history": COMPANY,
    "activities:timeline": PERSON,
    "activities:note_create": PERSON,
    "activities:call_log": PERSON,
    "activities:interaction_entry": PERSON,
    "activities:interaction_edit": PERSON,
    "activities:interaction_delete": PERSON,
    "api:openapi-json": PUBLIC,
    "api:openapi-view": PUBLIC,
    "api:api-root": PUBLIC,
    "api:issue_token": PUBLIC,
    "api:list_users": LOGIN,
    "api:me": LOGIN,
    "api:list_persons": LOGIN,
    "api:create_person": LOGIN,
    "api:lookup": LOGIN,
    "api:list_companies": LOGIN,
    "api:create_company": LOGIN,
    "api:get_person": PERSON,
    "api:update_person": PERSON,
    "api:delete_person": PERSON,
    "api:change_stage": PERSON,
    "api:transfer_person": PERSON,
    "api:person_history": PERSON,
    "api:list_relations": PERSON,
    "api:create_relation": PERSON,
    "api:delete_relation": PERSON,
    "api:list_company_roles": PERSON,
    "api:create_company_role": PERSON,
    "api:delete_company_role": PERSON,
    "api:list_assets": PERSON,
    "api:create_asset": PERSON,
    "api:get_asset": PERSON,
    "api:update_asset": PERSON,
    "api:delete_asset": PERSON,
    "api:person_timeline": PERSON,
    "api:add_note": PERSON,
    "api:log_call": PERSON,
    "api:get_interaction": PERSON,
    "api:update_interaction": PERSON,
    "api:delete_interaction": PERSON,
    "api:get_company": COMPANY,
    # distribution and tasks (issue 3, V3)
    "parties:distribution_rules": LOGIN,
    "parties:distribution_leads": LOGIN,
    "parties:distribution_take": LOGIN,
    "parties:distribution_lookup": LOGIN,
    "parties:distribution_report": LOGIN,
    "parties:distribution_report_csv": LOGIN,
    "parties:transfer_inbox": LOGIN,
    "parties:transfer_request_create": LOGIN,
    "parties:transfer_request_detail": TRANSFER,
    "parties:transfer_request_approve": TRANSFER,
    "parties:transfer_request_reject": TRANSFER,
    "parties:transfer_request_cancel": TRANSFER,
    "parties:distribution_card": PERSON,
    "parties:distribution_assign": PERSON,
    "activities:my_tasks": LOGIN,
    "activities:task_create": LOGIN,
    "activities:task_edit": TASK,
    "activities:task_complete": TASK,
    "activities:task_cancel": TASK,
    "activities:person_task_create": PERSON,
    "api:take_prospect": LOGIN,
    "api:ownership_lookup": LOGIN,
    "api:list_transfer_requests": LOGIN,
    "api:create_transfer_request": LOGIN,
    "api:get_transfer_request": TRANSFER,
    "api:approve_transfer_request": TRANSFER,
    "api:reject_transfer_request": TRANSFER,
    "api:cancel_transfer_request": TRANSFER,
    "api:distribution_report": LOGIN,
    "api:my_tasks": LOGIN,
    "api:create_task": LOGIN,
    "api:get_task": TASK,
    "api:update_task": TASK,
    "api:complete_task": TASK,
    "api:cancel_task": TASK,
    "api:person_tasks": PERSON,
    # pipelines, board and deals (issue 4)
    "sales:board_default": LOGIN,
    "sales:board": LOGIN,
    "sales:board_column": LOGIN,
    "sales:deal_list": LOGIN,
    "sales:deal_create": LOGIN,
    "sales:deal_detail": DEAL,
    "sales:deal_edit": DEAL,
    "sales:deal_history": DEAL,
    "sales:deal_move": DEAL,
    "sales:deal_win": DEAL,
    "sales:deal_lose": DEAL,
    "sales:deal_line_add": DEAL,
    "sales:deal_line_edit": DEAL,
    "sales:deal_line_delete": DEAL,
    "sales:deal_trade_in": DEAL,
    "sales:deal_trade_in_remove": DEAL,
    "sales:deal_handover": DEAL,
    "sales:person_deals": PERSON,
    "sales:company_deals": COMPANY,
    "api:list_pipelines": LOGIN,
    "api:get_pipeline": LOGIN,
    "api:list_lost_reasons": LOGIN,
    "api:list_deals": LOGIN,
    "api:create_deal": LOGIN,
    "api:get_deal": DEAL,
    "api:update_deal": DEAL,
    "api:delete_deal": DEAL,
    "api:move_deal": DEAL,
    "api:win_deal": DEAL,
    "api:lose_deal": DEAL,
    "api:transfer_deal": DEAL,
    "api:deal_stage_history": DEAL,
    "api:deal_history": DEAL,
    "api:list_deal_lines": DEAL,
    "api:add_deal_line": DEAL,
    "api:update_deal_line": DEAL,
    "api:delete_deal_line": DEAL,
    "api:get_trade_in": DEAL,
    "api:set_trade_in": DEAL,
    "api:remove_trade_in": DEAL,
    "api:hand_over_deal": DEAL,
    "api:list_person_deals": PERSON,
    # catalogue and configurator (issue 4, S2/X3): organisation data that any signed-in
    # user reads; the public configurator and public product pictures need no sign-in
    "sales:catalogue": LOGIN,
    "sales:product_detail": LOGIN,
    "sales:configurator": LOGIN,
    "sales:configurator_save": LOGIN,
    "sales:product_image": PUBLIC,
    "sales:option_image": PUBLIC,
    "sales:public_models": PUBLIC,
    "sales:public_configure": PUBLIC,
    "sales:public_order": PUBLIC,
    "sales:public_thanks": PUBLIC,
    "sales:public_thanks_generic": PUBLIC,
    "api:list_categories": LOGIN,
    "api:list_products": LOGIN,
    "api:get_product": LOGIN,
    "api:list_price_lists": LOGIN,
    "api:get_price_list": LOGIN,
    "api:validate_configuration": LOGIN,
    "api:price_configuration": LOGIN,
    # exports, vCard import, consents and documents (issue 3)
    "parties:person_export": LOGIN,
    "parties:person_vcard_import": LOGIN,
    "parties:company_export": LOGIN,
    "parties:person_consents": PERSON,
    "parties:person_consent_give": PERSON,
    "parties:person_consent_withdraw": PERSON,
    "parties:person_consent_form_pdf": PERSON,
    "documents:document_download": PERSON,
    "documents:company_document_download": COMPANY,
    "documents:person_documents": PERSON,
    "documents:company_documents": COMPANY,
    "api:export_persons": LOGIN,
    "api:export_companies": LOGIN,
    "api:import_vcard": LOGIN,
    "api:list_consents": PERSON,
    "api:give_consent": PERSON,
    "api:give_signed_consent": PERSON,
    "api:withdraw_consent": PERSON,
    "api:contact_permission": PERSON,
    "api:consent_form": PERSON,
    "api:list_documents": PERSON,
    "api:upload_document": PERSON,
    "api:download_document": PERSON,
    "parties:export_status": EXPORT,
    "parties:export_download": EXPORT,
    "api:get_export_job": EXPORT,
    "api:download_export_job": EXPORT,
    "api:update_company": COMPANY,
    "api:delete_company": COMPANY,
    # lead forms (issue 3, X2): the builder needs FORM_MANAGE; visitors use the public ones
    "marketing:form_list": LOGIN,
    "marketing:form_detail": LOGIN,
    "marketing:form_create": RIGHT,
    "marketing:form_edit": RIGHT,
    "marketing:person_submissions": PERSON,
    "marketing:public_form": PUBLIC,
    "marketing:public_submit": PUBLIC,
    "marketing:public_thanks": PUBLIC,
    "api:list_lead_forms": LOGIN,
    "api:get_lead_form": LOGIN,
    "api:list_form_submissions": LOGIN,
}

# Plausible bodies, so a denial is not merely a validation error on an empty body.
API_BODIES: dict[str, dict] = {
    "stage": {"stage": "customer"},
    "transfer": {"centre_id": 1},
    "notes": {"body": "hello"},
    "calls": {"direction": "in", "outcome": "answered"},
    "relations": {"other_id": 1, "kind": "friend"},
    "assets": {"make": "Lada", "model": "Niva"},
    "company-roles": {"company_id": 1, "title": "Директор"},
    "move": {"stage_id": 1},
    "lose": {"lost_reason_id": 1},
    "lines": {"description": "x", "unit_price": 1},
    "trade-in": {"asset_id": 1},
    "consents": {
        "purpose": "marketing",
        "channel": "sms",
        "wording_version": "1",
        "source": "call",
    },
    "withdraw": {"purpose": "marketing", "channel": "sms"},
}
# Bodies for routes that end in a record id rather than a collection name.
API_BODIES_BY_ROUTE: dict[str, dict] = {
    "api:update_quote": {"notes": "changed"},
    "api:change_quote_status": {"status": "declined"},
    "api:update_order": {"notes": "changed"},
    "api:change_order_status": {"status": "confirmed"},
    "api:update_interaction": {"body": "changed"},
    "api:update_deal": {"title": "changed"},
    "api:update_deal_line": {"quantity": 2},
}


def _routes() -> Iterator[tuple[str, str]]:
    def walk(patterns, prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":  # guarded by the admin site (staff only)
                    continue
                ns = ":".join(x for x in (namespace, p.namespace or "") if x)
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                name = ":".join(x for x in (namespace, p.name or "") if x)
                yield name, prefix + str(p.pattern)

    yield from walk(get_resolver().url_patterns, "", "")


def test_every_route_has_an_access_policy():
    missing = sorted({name for name, _route in _routes() if name not in POLICY})
    assert not missing, f"routes without a policy in POLICY: {missing}"


def test_policy_names_no_route_that_no_longer_exists():
    names = {name for name, _route in _routes()}
    assert not (set(POLICY) - names)


@pytest.fixture
def world(person, owner, outsider, centre_b):
    from sputnik.activities.services import note_create
    from sputnik.parties.services import (
        asset_create,
        company_create,
        company_role_create,
        person_create,
        relation_create,
    )

    friend = person_create(actor=owner, data={"last_name": "Друг", "first_name": "Иван"})
    relation = relation_create(actor=owner, person=person, other=friend, kind="friend")
    asset = asset_create(actor=owner, person=person, data={"make": "Lada", "model": "Niva"})
    company = company_create(actor=owner, data={"name": "ООО Ромашка"})
    role = company_role_create(actor=owner, person=person, company=company, title="Директор")
    note = note_create(actor=owner, person_id=person.pk, body="Перезвонить")
    from sputnik.sales.services.deals import deal_create

    deal = deal_create(
        actor=owner,
        data={
            "person_id": person.pk,
            "title": "Нива",
            "lines": [{"description": "Niva", "unit_price": 1}],
        },
    )
    from sputnik.parties.models import ImportBatch

    import_batch = ImportBatch.objects.create(
        entity="person",
        created_by=owner,
        centre=owner.centre,
        file_name="a.csv",
        file_path="imports/none.upload",
        file_sha256="0" * 64,
        file_format="csv",
        headers=["Фамилия"],
        mapping={"0": "last_name"},
        status="ready",
    )
    from django.core.files.base import ContentFile

    from sputnik.documents.services import document_upload

    document = document_upload(
        actor=owner, person=person, kind="other", upload=ContentFile(b"%PDF-1.4 x", "a.pdf")
    )
    from sputnik.parties.models import DuplicateCluster, DuplicatePair

    cluster = DuplicateCluster.objects.create(size=2, score=90, centre=person.centre)
    low, high = sorted((person.pk, friend.pk))
    DuplicatePair.objects.create(cluster=cluster, person_a_id=low, person_b_id=high, score=90)
    return {
        "cluster": cluster,
        "import_batch": import_batch,
        "person": person,
        "relation": relation,
        "asset": asset,
        "company": company,
        "company_role": role,
        "interaction": note,
        **_distribution_world(person, owner),
        "deal": deal,
        "line": deal.lines.get(),
        "document": document,
        "export": _finished_export(owner),
        **_quote_order_world(owner, deal),
    }


def _finished_export(owner):
    """A finished background export of the owner's, with its file."""
    from django.core.files.base import ContentFile

    from sputnik.parties.exports.log import export_finish, export_start

    export = export_start(owner, "persons", "xlsx", {}, "web", status="running", total=1)
    export.file.save("persons.xlsx", ContentFile(b"PK\x03\x04"), save=False)
    export_finish(export, 1, ok=True)
    return export


def _quote_order_world(owner, deal) -> dict:
    """An accepted quote of the deal and its order with a live status link."""
    from sputnik.sales.services.orders import order_create_from_quote, order_link_issue
    from sputnik.sales.services.quotes import quote_accept, quote_create, quote_send

    quote = quote_create(actor=owner, deal=deal)
    quote_send(actor=owner, quote=quote)
    quote_accept(actor=owner, quote=quote)
    order = order_create_from_quote(actor=owner, quote=quote)
    order_link_issue(actor=owner, order=order)
    return {"quote": quote, "order": order}


def _distribution_world(person, owner) -> dict:
    """A transfer request and a task the outsider (centre B) may not see: asked by a
    manager of a third centre; a task the owner gave themself about the person."""
    from sputnik.activities.services import task_create
    from sputnik.conftest import make_user
    from sputnik.core.models import Centre
    from sputnik.parties.services.distribution import transfer_request_create

    third = Centre.objects.create(name="Центр В", kind="showroom", region="Тула", city="Тула")
    asker = make_user("asker", "sales_manager", third)
    return {
        "transfer_request": transfer_request_create(
            actor=asker, person_id=person.pk, reason="Живёт рядом с нами"
        ),
        "task": task_create(actor=owner, assignee=owner, title="Перезвонить", person_id=person.pk),
    }


def _kwargs_for(route: str, world: dict, missing: bool) -> dict[str, int]:
    big = 987654321
    kwargs = {}
    if "batch_id" in route:
        kwargs["batch_id"] = big if missing else world["import_batch"].pk
    if "person_id" in route:
        kwargs["person_id"] = big if missing else world["person"].pk
    if "cluster_id" in route:
        kwargs["cluster_id"] = big if missing else world["cluster"].pk
    if "run_id" in route:  # duplicate search runs are configuration, not scoped records
        kwargs["run_id"] = big
    if "relation_id" in route:
        kwargs["relation_id"] = big if missing else world["relation"].pk
    if "asset_id" in route:
        kwargs["asset_id"] = big if missing else world["asset"].pk
    if "company_id" in route:
        kwargs["company_id"] = big if missing else world["company"].pk
    if "company_role_id" in route:
        kwargs["company_role_id"] = big if missing else world["company_role"].pk
    if "request_id" in route:
        kwargs["request_id"] = big if missing else world["transfer_request"].pk
    if "task_id" in route:
        kwargs["task_id"] = big if missing else world["task"].pk
    if "interaction_id" in route:
        kwargs["interaction_id"] = big if missing else world["interaction"].pk
    if "deal_id" in route:
        kwargs["deal_id"] = big if missing else world["deal"].pk
    if re.search(r"\bline_id\b", route):  # not the "line_id" inside "pipeline_id"
        kwargs["line_id"] = big if missing else world["line"].pk
    if "pipeline_id" in route:  # pipelines and stages are configuration, not scoped records
        kwargs["pipeline_id"] = world["deal"].pipeline_id
    if "stage_id" in route:
        kwargs["stage_id"] = world["deal"].stage_id
    if "form_id" in route:  # lead forms are configuration, not scoped records
        kwargs["form_id"] = big
    if "document_id" in route:
        kwargs["document_id"] = big if missing else world["document"].pk
    if "export_id" in route:
        kwargs["export_id"] = big if missing else world["export"].pk
    if "quote_id" in route:
        kwargs["quote_id"] = big if missing else world["quote"].pk
    if "order_id" in route:
        kwargs["order_id"] = big if missing else world["order"].pk
    # catalogue records are organisation data, not scoped: any id answers like a missing one
    for name in ("product_id", "image_id", "option_id", "price_list_id"):
        if f"<{name}>" in route or f":{name}>" in route:
            kwargs[name] = big
    if "sku>" in route:
        kwargs["sku"] = "NO-SUCH-SKU"  # type: ignore[assignment]
    if "reference>" in route:
        kwargs["reference"] = "C-NOSUCHREF"  # type: ignore[assignment]
    return kwargs


def _import_batches() -> list:
    from sputnik.parties.models import ImportBatch

    return list(ImportBatch.objects.order_by("pk").values("pk", "status", "mapping", "cursor"))


def _duplicate_review() -> tuple:
    from sputnik.parties.models import DismissedPair, DuplicateCluster, DuplicatePair

    return (
        list(DuplicateCluster.objects.order_by("pk").values("pk", "status")),
        list(DuplicatePair.objects.order_by("pk").values("pk", "status")),
        DismissedPair.objects.count(),
    )


def _state() -> tuple:
    return (
        list(Person.objects.order_by("pk").values()),
        list(Company.objects.order_by("pk").values()),
        list(Asset.objects.order_by("pk").values()),
        Relation.objects.count(),
        list(CompanyRole.objects.order_by("pk").values()),
        ContactPoint.objects.count(),
        list(Interaction.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
        list(TransferRequest.objects.order_by("pk").values()),
        list(Task.objects.order_by("pk").values()),
        _import_batches(),
        _duplicate_review(),
        list(Deal.objects.order_by("pk").values()),
        list(DealLine.objects.order_by("pk").values()),
        _quotes_orders(),
    )


def _quotes_orders() -> tuple:
    from sputnik.sales.models import Order, OrderEvent, OrderStatusLink, Quote

    return (
        list(Quote.objects.order_by("pk").values()),
        list(Order.objects.order_by("pk").values()),
        list(OrderStatusLink.objects.order_by("pk").values()),
        OrderEvent.objects.count(),
    )


@pytest.mark.django_db
def test_outsider_gets_the_missing_record_answer_on_every_scoped_route_and_method(world, outsider):
    web = Client()
    web.force_login(outsider)
    token = token_create(actor=None, user=outsider)
    api = Client(headers={"authorization": f"Bearer {token}"})
    before = _state()
    checked = 0
    for name, route in _routes():
        scoped = (
            TRANSFER, TASK, CLUSTER, PERSON, COMPANY, IMPORT_BATCH, DEAL, QUOTE, ORDER, EXPORT
        )  # fmt: skip
        if POLICY.get(name) not in scoped:
            continue
        client = api if name.startswith("api:") else web
        for method in ("get", "post", "patch", "delete"):
            answers = []
            for missing in (False, True):
                url = reverse(name, kwargs=_kwargs_for(route, world, missing))
                body = API_BODIES_BY_ROUTE.get(name) or next(
                    (b for key, b in API_BODIES.items() if url.rstrip("/").endswith(key)), {}
                )
                if method == "get":
                    response = client.get(url)
                elif name.startswith("api:"):
                    response = getattr(client, method)(
                        url, data=json.dumps(body), content_type="application/json"
                    )
                else:
                    response = getattr(client, method)(url, data={"body": "x", "name": "x"})
                answers.append(response.status_code)
            hidden, absent = answers
            assert hidden == absent, f"{method.upper()} {name}: hidden {hidden} vs missing {absent}"
            assert not 200 <= hidden < 300, f"{method.upper()} {name} answered {hidden}"
            assert hidden != 403, f"{method.upper()} {name} confirms the record exists"
            checked += 1
    assert checked > 80
    assert _state() == before


@pytest.mark.django_db
def test_anonymous_requests_to_signed_in_routes_are_refused(world):
    client = Client()
    for name, route in _routes():
        if POLICY.get(name) == PUBLIC:
            continue
        url = reverse(name, kwargs=_kwargs_for(route, world, missing=False))
        response = client.get(url)
        if name.startswith("api:"):
            assert response.status_code in (401, 405), f"{name}: {response.status_code}"
        else:
            assert response.status_code in (302, 405), f"{name}: {response.status_code}"
            if response.status_code == 302:
                assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_users_without_the_right_are_refused_on_every_right_route(world, owner):
    client = Client()
    client.force_login(owner)
    before = _state()
    checked = 0
    for name, route in _routes():
        if POLICY.get(name) != RIGHT:
            continue
        url = reverse(name, kwargs=_kwargs_for(route, world, missing=False))
        for method in ("get", "post"):
            response = getattr(client, method)(url, data={"name": "x"})
            assert response.status_code == 403, f"{method.upper()} {name}: {response.status_code}"
            checked += 1
    assert checked >= 4
    assert _state() == before
