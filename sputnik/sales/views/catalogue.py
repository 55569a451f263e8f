"""The catalogue browser in the CRM: products with filters and today's price for the
user's centre, a product page, and product pictures served through a view.

Editing happens in the admin (catalogue editors hold the CONFIGURE right); these pages
only read. Pictures are uploads under MEDIA_ROOT, never served as public media: the
view answers for an active product shown on the public configurator to anyone, and for
any other product to signed-in users only.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sputnik.core.models import User
from sputnik.sales.models import Option, Product, ProductImage
from sputnik.sales.selectors import catalogue as selectors
from sputnik.web.access import visible_or_404

PAGE_SIZE = 50


def _int_or_none(value: str | None) -> int | None:
    if value and value.isdigit() and len(value) < 18:
        return int(value)
    return None


@login_required
@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    q = str(request.GET.get("q") or "").strip()[:100]
    category_id = _int_or_none(request.GET.get("category"))
    kind = str(request.GET.get("kind") or "")
    if kind not in Product.Kind.values:
        kind = ""
    include_inactive = bool(request.GET.get("inactive")) and selectors.may_edit_catalogue(user)
    qs = selectors.product_list(
        actor=user, q=q, category_id=category_id, kind=kind, include_inactive=include_inactive
    ).prefetch_related("images")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    products = list(page.object_list)
    prices = selectors.product_prices(products, centre=user.centre_id)
    rows = [{"product": p, "price": prices[p.pk], "image": _first_image(p)} for p in products]
    context = {
        "deal": _deal_param(request),
        "rows": rows,
        "page": page,
        "q": q,
        "category_id": category_id,
        "kind": kind,
        "inactive": include_inactive,
        "categories": selectors.category_list(actor=user),
        "kinds": Product.Kind.choices,
        "may_edit": selectors.may_edit_catalogue(user),
        "nav": "catalogue",
    }
    template = "sales/catalogue/_results.html" if request.htmx else "sales/catalogue/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _deal_param(request: HttpRequest) -> str:
    """The deal the user is choosing a product for (carried to the configurator; the
    deal itself is checked against the user's scope when the line is saved)."""
    value = str(request.GET.get("deal") or "")
    return value if value.isdigit() and len(value) <= 18 else ""


def _first_image(product: Product) -> ProductImage | None:
    images = list(product.images.all())
    return images[0] if images else None


@login_required
@require_GET
def product_detail(request: HttpRequest, product_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    product = visible_or_404(selectors.product_get, actor=user, product_id=product_id)
    from sputnik.sales.services.configurator import product_spec

    spec = product_spec(product, centre=user.centre_id)
    price = selectors.product_prices([product], centre=user.centre_id)[product.pk]
    lists = selectors.applicable_price_lists(centre=user.centre_id)
    return render(
        request,
        "sales/catalogue/detail.html",
        {
            "product": product,
            "price": price,
            "spec": spec,
            "groups": [(g, [spec.options[c] for c in g.options]) for g in spec.groups],
            "rules": _rule_rows(spec),
            "price_lists": lists,
            "centre": user.centre,
            "images": list(product.images.all()),
            "may_edit": selectors.may_edit_catalogue(user),
            "deal": _deal_param(request),
            "nav": "catalogue",
        },
    )


def _rule_rows(spec: object) -> list[tuple[str, str, str]]:
    from sputnik.sales.services.configurator import ProductSpec

    assert isinstance(spec, ProductSpec)
    rows: list[tuple[str, str, str]] = []
    for code, targets in spec.requires.items():
        rows.extend(("requires", spec.options[code].name, spec.options[t].name) for t in targets)
    seen: set[frozenset[str]] = set()
    for code, others in spec.excludes.items():
        for other in sorted(others):
            pair = frozenset((code, other))
            if pair not in seen:
                seen.add(pair)
                rows.append(("excludes", spec.options[code].name, spec.options[other].name))
    return rows


def _serve(file_field: object) -> FileResponse:
    name = getattr(file_field, "name", "") or ""
    if not name:
        raise Http404
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / name).resolve()
    if root not in path.parents or not path.is_file():
        raise Http404
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if not content_type.startswith("image/"):
        raise Http404
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _may_see_product(request: HttpRequest, product: Product) -> bool:
    if product.is_active and product.is_public:
        return True
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return False
    return product.is_active or selectors.may_edit_catalogue(user)  # type: ignore[arg-type]


@require_GET
def product_image(request: HttpRequest, image_id: int) -> FileResponse:
    image = ProductImage.objects.select_related("product").filter(pk=image_id).first()
    if image is None or not image.file or not _may_see_product(request, image.product):
        raise Http404
    return _serve(image.file)


@require_GET
def option_image(request: HttpRequest, option_id: int) -> FileResponse:
    option = Option.objects.select_related("product").filter(pk=option_id).first()
    if option is None or not option.image or not _may_see_product(request, option.product):
        raise Http404
    return _serve(option.image)
