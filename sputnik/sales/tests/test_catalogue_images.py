"""Product pictures: only real pictures are stored; uploads are served through a view —
to anyone for a product on the public configurator, to signed-in users otherwise."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from sputnik.parties.errors import AccessDenied
from sputnik.sales.models import ProductImage
from sputnik.sales.services.catalogue import product_create, product_image_add, product_update


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#9d1c20").save(buffer, format="PNG")
    return SimpleUploadedFile("car.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def product(admin_user):
    return product_create(
        actor=admin_user,
        data={"sku": "CAR", "name": "Машина", "base_price": "1", "is_public": True},
    )


@pytest.mark.django_db
def test_an_uploaded_picture_is_served_through_the_view(product, admin_user, owner):
    image = product_image_add(actor=admin_user, product=product, upload=_png(), alt="Красная")
    url = reverse("sales:product_image", kwargs={"image_id": image.pk})
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


@pytest.mark.django_db
def test_a_picture_of_a_product_not_shown_publicly_needs_sign_in(product, admin_user, owner):
    image = product_image_add(actor=admin_user, product=product, upload=_png())
    product_update(actor=admin_user, product=product, data={"is_public": False})
    url = reverse("sales:product_image", kwargs={"image_id": image.pk})
    assert Client().get(url).status_code == 404
    signed_in = Client()
    signed_in.force_login(owner)
    assert signed_in.get(url).status_code == 200
    assert (
        Client().get(reverse("sales:product_image", kwargs={"image_id": 987654})).status_code == 404
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("car.png", b"<script>alert(1)</script>", content_type="image/png"),
        SimpleUploadedFile(
            "car.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", content_type="image/gif"
        ),
    ],
)
def test_what_is_not_a_jpeg_png_or_webp_picture_is_refused(product, admin_user, upload):
    with pytest.raises(ValidationError) as caught:
        product_image_add(actor=admin_user, product=product, upload=upload)
    assert "upload" in caught.value.message_dict
    assert ProductImage.objects.count() == 0


@pytest.mark.django_db
def test_a_static_picture_must_stay_under_the_static_folder(product, admin_user):
    with pytest.raises(ValidationError):
        product_image_add(actor=admin_user, product=product, static_path="../../settings.py")
    image = product_image_add(actor=admin_user, product=product, static_path="sales/cars/sedan.svg")
    assert image.static_path == "sales/cars/sedan.svg"


@pytest.mark.django_db
def test_only_catalogue_editors_add_pictures(product, owner):
    with pytest.raises(AccessDenied):
        product_image_add(actor=owner, product=product, static_path="sales/cars/sedan.svg")


@pytest.mark.django_db
def test_a_static_picture_that_does_not_exist_is_refused(product, admin_user):
    with pytest.raises(ValidationError) as caught:
        product_image_add(actor=admin_user, product=product, static_path="sales/cars/zeppelin.svg")
    assert "static_path" in caught.value.message_dict


@pytest.mark.django_db
def test_the_public_page_shows_a_shipped_picture(product, admin_user):
    product_image_add(
        actor=admin_user, product=product, static_path="sales/cars/suv.svg", alt="Вид"
    )
    body = Client().get(reverse("sales:public_models")).content.decode()
    assert 'src="/static/sales/cars/suv.svg"' in body
