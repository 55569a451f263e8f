"""The demo car catalogue: models with trims, engines, colours and packages (Russian
names, as a Russian dealer network would show them), rules between options, and price
lists: a network list, a centre's own list and a limited-time promotion.

Used by `sputnik demo`, the sales tests and the browser journey, so the configurator is
always shown on the same realistic data.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from sputnik.core.models import Centre, User

_COLOURS = [
    ("white", "Белый «Ледниковый»", "0", "#f4f5f2"),
    ("silver", "Серебристый «Платина»", "25000", "#b8bcc2"),
    ("grey", "Серый «Графит»", "25000", "#4b4f54"),
    ("black", "Чёрный «Пантера»", "25000", "#17181a"),
    ("blue", "Синий «Байкал»", "35000", "#1f4e8c"),
    ("red", "Красный «Сердолик»", "45000", "#9d1c20"),
]


def _model(
    sku: str,
    name: str,
    description: str,
    base: int,
    trims: list[tuple[str, str, int]],
    engines: list[tuple[str, str, int]],
    packages: list[tuple[str, str, int]],
    rules: list[tuple[str, str, str]],
    colours: int = 6,
    position: int = 0,
) -> dict[str, Any]:
    return {
        "sku": sku,
        "name": name,
        "description": description,
        "kind": "vehicle",
        "base_price": str(base),
        "is_public": True,
        "position": position,
        "groups": [
            {
                "code": "trim",
                "name": "Комплектация",
                "selection": "exactly_one",
                "options": [{"code": c, "name": n, "price": str(p)} for c, n, p in trims],
            },
            {
                "code": "engine",
                "name": "Двигатель и коробка",
                "selection": "exactly_one",
                "options": [{"code": c, "name": n, "price": str(p)} for c, n, p in engines],
            },
            {
                "code": "colour",
                "name": "Цвет кузова",
                "selection": "exactly_one",
                "options": [
                    {"code": c, "name": n, "price": p, "swatch": s}
                    for c, n, p, s in _COLOURS[:colours]
                ],
            },
            {
                "code": "wheels",
                "name": "Колёсные диски",
                "selection": "at_most_one",
                "options": [
                    {"code": "wheels-17", "name": "Легкосплавные диски R17", "price": "38000"},
                    {"code": "wheels-18", "name": "Легкосплавные диски R18", "price": "62000"},
                ],
            },
            {
                "code": "packages",
                "name": "Пакеты опций",
                "selection": "any",
                "options": [{"code": c, "name": n, "price": str(p)} for c, n, p in packages],
            },
        ],
        "rules": rules,
    }


CARS: list[dict[str, Any]] = [
    _model(
        "LADA-VESTA",
        "Lada Vesta",
        "Седан для города и трассы: просторный салон, клиренс 178 мм, адаптирован к зиме.",
        1_390_000,
        [("classic", "Classic", 0), ("comfort", "Comfort", 95000), ("luxe", "Luxe", 185000)],
        [
            ("16-mt", "1.6 л, 90 л.с., механика", 0),
            ("16-cvt", "1.6 л, 90 л.с., вариатор", 80000),
            ("18-mt", "1.8 л EVO, 122 л.с., механика", 120000),
        ],
        [
            ("winter", "Зимний пакет (подогрев сидений и руля)", 35000),
            ("multimedia", "Мультимедиа 10″ с навигацией", 55000),
            ("camera", "Камера заднего вида", 18000),
            ("protect", "Защита картера и брызговики", 12000),
        ],
        [
            ("18-mt", "excludes", "classic"),
            ("16-cvt", "excludes", "classic"),
            ("multimedia", "requires", "camera"),
            ("wheels-18", "excludes", "classic"),
            ("multimedia", "excludes", "classic"),
        ],
        position=1,
    ),
    _model(
        "LADA-NIVA-TRAVEL",
        "Lada Niva Travel",
        "Полноприводный внедорожник: постоянный полный привод, понижающая передача.",
        1_240_000,
        [
            ("classic", "Classic", 0),
            ("comfort", "Comfort", 70000),
            ("off-road", "Off-Road", 140000),
        ],
        [("17-mt", "1.7 л, 80 л.с., механика, 4×4", 0)],
        [
            ("winter", "Зимний пакет", 28000),
            ("towbar", "Фаркоп", 15000),
            ("snorkel", "Шноркель и защита днища", 42000),
        ],
        [("snorkel", "requires", "off-road"), ("wheels-18", "excludes", "off-road")],
        colours=5,
        position=2,
    ),
    _model(
        "HAVAL-JOLION",
        "Haval Jolion",
        "Компактный кроссовер: турбомотор, роботизированная коробка, богатое оснащение.",
        2_099_000,
        [("comfort", "Comfort", 0), ("elite", "Elite", 160000), ("tech-plus", "Tech Plus", 290000)],
        [
            ("15t-dct", "1.5 л турбо, 150 л.с., робот", 0),
            ("15t-dct-4wd", "1.5 л турбо, 150 л.с., робот, полный привод", 200000),
        ],
        [
            ("winter", "Зимний пакет", 30000),
            ("safety", "Пакет безопасности (ассистенты)", 95000),
            ("panorama", "Панорамная крыша", 70000),
            ("audio", "Премиальная аудиосистема", 45000),
        ],
        [
            ("15t-dct-4wd", "excludes", "comfort"),
            ("panorama", "requires", "safety"),
            ("audio", "excludes", "comfort"),
        ],
        position=3,
    ),
    _model(
        "CHERY-TIGGO7",
        "Chery Tiggo 7 Pro Max",
        "Кроссовер среднего класса с полным приводом и цифровой приборной панелью.",
        2_690_000,
        [("prestige", "Prestige", 0), ("ultimate", "Ultimate", 230000)],
        [
            ("15t-cvt", "1.5 л турбо, 147 л.с., вариатор", 0),
            ("16t-dct-awd", "1.6 л турбо, 186 л.с., робот, полный привод", 310000),
        ],
        [
            ("winter", "Зимний пакет", 30000),
            ("towbar", "Фаркоп", 25000),
            ("panorama", "Панорамная крыша", 85000),
        ],
        [("panorama", "excludes", "prestige"), ("16t-dct-awd", "requires", "winter")],
        position=4,
    ),
]


def seed_catalogue(*, actor: User, centres: list[Centre], today: dt.date | None = None) -> None:
    """Create the demo catalogue: categories, the cars above, accessories and services,
    a network price list, a centre's own list for its first showroom and a promotion."""
    from sputnik.sales.models import Category, Option
    from sputnik.sales.services.catalogue import (
        category_create,
        price_list_create,
        price_list_prices_set,
        product_create,
        product_define,
        product_image_add,
    )

    if Category.objects.filter(slug="cars").exists():
        return
    day = today or timezone.localdate()
    cars = category_create(actor=actor, name="Новые автомобили", slug="cars", position=1)
    extras = category_create(actor=actor, name="Аксессуары", slug="accessories", position=2)
    services = category_create(actor=actor, name="Услуги", slug="services", position=3)
    models = [product_define(actor=actor, definition={**car, "category": cars}) for car in CARS]
    for model, body in zip(models, ("sedan", "suv", "crossover", "crossover"), strict=True):
        product_image_add(
            actor=actor, product=model, static_path=f"sales/cars/{body}.svg", alt=model.name
        )
    accessories = [
        ("ACC-MATS", "Коврики салона, комплект", "accessory", extras, 4900),
        ("ACC-ROOF", "Багажник на крышу", "accessory", extras, 18900),
        ("ACC-DVR", "Видеорегистратор", "accessory", extras, 7900),
        ("SRV-TO1", "ТО-1 (15 000 км)", "service", services, 14500),
        ("SRV-TYRES", "Шиномонтаж, комплект", "service", services, 3800),
    ]
    for sku, name, kind, category, price in accessories:
        product_create(
            actor=actor,
            data={
                "sku": sku,
                "name": name,
                "kind": kind,
                "category": category,
                "base_price": price,
            },
        )
    network = price_list_create(
        actor=actor,
        name=f"Прайс-лист сети {day.year}",
        valid_from=day.replace(month=1, day=1),
        valid_to=day.replace(month=12, day=31),
        priority=0,
    )
    price_list_prices_set(
        actor=actor,
        price_list=network,
        products={m: Decimal(m.base_price) for m in models},
    )
    showrooms = [c for c in centres if c.kind == Centre.Kind.SHOWROOM]
    if showrooms:
        own = price_list_create(
            actor=actor,
            name=f"{showrooms[0].name}: цены салона",
            centre=showrooms[0],
            valid_from=day - dt.timedelta(days=30),
            valid_to=day + dt.timedelta(days=60),
            priority=10,
        )
        vesta, jolion = models[0], models[2]
        price_list_prices_set(
            actor=actor,
            price_list=own,
            products={vesta: Decimal(vesta.base_price) - 40000},
            options={
                Option.objects.get(product=vesta, code="winter"): Decimal("0"),
                Option.objects.get(product=jolion, code="safety"): Decimal("75000"),
            },
        )
    promo = price_list_create(
        actor=actor,
        name="Акция «Зимняя выгода»",
        valid_from=day - dt.timedelta(days=7),
        valid_to=day + dt.timedelta(days=21),
        priority=5,
    )
    tiggo = models[3]
    price_list_prices_set(
        actor=actor, price_list=promo, products={tiggo: Decimal(tiggo.base_price) - 150000}
    )
