"""The fixed vocabulary of the demo network: centres, staff, interests, cars, texts.

Everything here is plain data. Texts contain no tab, newline or backslash, so the
PostgreSQL COPY text format never needs escaping (see `sputnik.core.demo.load`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CentreSpec:
    key: str
    name: str
    kind: str
    region: str
    city: str
    share: float  # of persons
    plate_regions: tuple[str, ...]


CENTRES: tuple[CentreSpec, ...] = (
    CentreSpec(
        "north",
        "Автоцентр Север",
        "showroom",
        "Москва",
        "Москва",
        0.40,
        ("77", "97", "177", "199", "799"),
    ),
    CentreSpec(
        "south",
        "Автоцентр Юг",
        "showroom",
        "Краснодарский край",
        "Краснодар",
        0.34,
        ("23", "93", "123"),
    ),
    CentreSpec(
        "service", "Сервисный центр", "service", "Москва", "Москва", 0.16, ("77", "50", "750")
    ),
    CentreSpec("calls", "Колл-центр", "call_centre", "Тверская область", "Тверь", 0.08, ("69",)),
    CentreSpec("office", "Головной офис", "head_office", "Москва", "Москва", 0.02, ("77",)),
)

# (username prefix, role, centre key, how many). Numbering runs per prefix across centres.
STAFF: tuple[tuple[str, str, str, int], ...] = (
    ("head", "centre_head", "north", 1),
    ("sales", "sales_manager", "north", 9),
    ("head", "centre_head", "south", 1),
    ("sales", "sales_manager", "south", 8),
    ("head", "centre_head", "service", 1),
    ("service", "service_advisor", "service", 6),
    ("head", "centre_head", "calls", 1),
    ("operator", "operator", "calls", 6),
    ("marketing", "marketing_manager", "office", 3),
    ("exec", "executive", "office", 2),
)
DEMO_PASSWORD = "demo12345"  # noqa: S105 - printed for the demo on purpose

# slug, Russian, English
INTERESTS: tuple[tuple[str, str, str], ...] = (
    ("fishing", "Рыбалка", "Fishing"),
    ("hunting", "Охота", "Hunting"),
    ("off-road", "Off-road", "Off-road"),
    ("travel", "Путешествия", "Travel"),
    ("family", "Семья и дети", "Family"),
    ("sport", "Спорт", "Sport"),
    ("pickups", "Пикапы", "Pickups"),
    ("crossovers", "Кроссоверы", "Crossovers"),
    ("electric", "Электромобили", "Electric cars"),
    ("tuning", "Тюнинг", "Tuning"),
    ("motorsport", "Автоспорт", "Motorsport"),
    ("dacha", "Дача", "Country house"),
    ("camping", "Кемпинг", "Camping"),
    ("premium", "Премиум-класс", "Premium cars"),
)

TAGS: tuple[str, ...] = (
    "VIP",
    "корпоративный",
    "trade-in",
    "кредит",
    "лизинг",
    "рассылка",
    "тест-драйв",
    "постоянный сервис",
    "такси",
    "автопарк",
)

CUSTOM_FIELDS: tuple[dict[str, object], ...] = (
    {
        "entity": "person",
        "key": "preferred_contact_time",
        "label_ru": "Удобное время звонка",
        "label_en": "Preferred contact time",
        "type": "choice",
        "choices": ["утро", "день", "вечер", "выходные"],
        "order": 1,
    },
    {
        "entity": "person",
        "key": "budget",
        "label_ru": "Бюджет, ₽",
        "label_en": "Budget, RUB",
        "type": "decimal",
        "choices": [],
        "order": 2,
    },
    {
        "entity": "person",
        "key": "has_driving_licence",
        "label_ru": "Есть водительские права",
        "label_en": "Has a driving licence",
        "type": "boolean",
        "choices": [],
        "order": 3,
    },
    {
        "entity": "company",
        "key": "fleet_size",
        "label_ru": "Размер автопарка",
        "label_en": "Fleet size",
        "type": "integer",
        "choices": [],
        "order": 1,
    },
)

# make, model, WMI, VDS, is_pickup
CARS: tuple[tuple[str, str, str, str, bool], ...] = (
    ("Lada", "Vesta", "XTA", "GFL11", False),
    ("Lada", "Niva Travel", "XTA", "21230", False),
    ("Lada", "Largus", "XTA", "RS0Y5", False),
    ("Kia", "Rio", "Z94", "C2416", False),
    ("Kia", "Sportage", "XWE", "PC81D", False),
    ("Hyundai", "Creta", "Z94", "G2811", False),
    ("Hyundai", "Solaris", "Z94", "K4116", False),
    ("Toyota", "Camry", "XW7", "BF4FK", False),
    ("Toyota", "RAV4", "JTM", "RFREV", False),
    ("Toyota", "Land Cruiser Prado", "JTE", "BH3FJ", False),
    ("Toyota", "Hilux", "AHT", "KB3CD", True),
    ("Mitsubishi", "L200", "MMC", "JNKB4", True),
    ("UAZ", "Pickup", "XTT", "23630", True),
    ("UAZ", "Patriot", "XTT", "31630", False),
    ("Haval", "Jolion", "XZG", "FF7AD", False),
    ("Haval", "Poer", "LGW", "FF6AB", True),
    ("Chery", "Tiggo 7 Pro", "LVV", "DB21B", False),
    ("Geely", "Coolray", "Y4K", "8822A", False),
    ("Skoda", "Octavia", "XW8", "AN2NE", False),
    ("Volkswagen", "Tiguan", "XW8", "ZZZ5N", False),
    ("Renault", "Duster", "X7L", "HSRH2", False),
    ("Nissan", "Qashqai", "SJN", "FAAJ1", False),
)
PICKUP_MODELS = [c for c in CARS if c[4]]

VIN_YEAR_CODES = {
    2010: "A",
    2011: "B",
    2012: "C",
    2013: "D",
    2014: "E",
    2015: "F",
    2016: "G",
    2017: "H",
    2018: "J",
    2019: "K",
    2020: "L",
    2021: "M",
    2022: "N",
    2023: "P",
    2024: "R",
    2025: "S",
    2026: "T",
}
VIN_ALPHABET = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
PLATE_LETTERS = "АВЕКМНОРСТУХ"

# Phones of Russian mobile operators start +79; a few 9xx ranges are unassigned and
# `phonenumbers` rejects them, so the generator keeps only prefixes it validates.
EMAIL_DOMAINS = (
    "mail.ru",
    "yandex.ru",
    "gmail.com",
    "bk.ru",
    "inbox.ru",
    "rambler.ru",
    "list.ru",
    "ya.ru",
)

UTM_SOURCES = ("yandex", "google", "vk", "avito", "drom", "autoru", "telegram")
UTM_MEDIUMS = ("cpc", "social", "referral", "email", "display")
UTM_CAMPAIGNS = (
    "spring_sale",
    "trade_in_2024",
    "new_haval",
    "service_promo",
    "pickup_week",
    "credit_0",
    "black_friday",
)
CAMPAIGNS = (
    "Весенняя распродажа",
    "Дни открытых дверей",
    "Тест-драйв выходного дня",
    "Выставка «Мир внедорожников»",
    "Трейд-ин осень",
)

COMPANY_ROLES = (
    "Генеральный директор",
    "Менеджер автопарка",
    "Главный бухгалтер",
    "Водитель-экспедитор",
    "Закупщик",
    "Юрист",
)
INDUSTRIES = (
    "Логистика",
    "Строительство",
    "Такси",
    "Сельское хозяйство",
    "Розничная торговля",
    "Охранные услуги",
    "Производство",
    "IT",
)

JOB_TITLES = (
    "Инженер",
    "Врач",
    "Предприниматель",
    "Учитель",
    "Менеджер",
    "Бухгалтер",
    "Программист",
    "Водитель",
    "Юрист",
    "Строитель",
    "Пенсионер",
    "Военнослужащий",
    "Фермер",
    "Engineer",
    "Consultant",
)

WISHES = (
    "Хочет кроссовер с полным приводом до 3 млн",
    "Рассматривает замену автомобиля через трейд-ин",
    "Интересуется электромобилями, спрашивал про зарядку дома",
    "Нужен семиместный автомобиль для большой семьи",
    "Ищет пикап для охоты и рыбалки",
    "Планирует покупку в кредит, первоначальный взнос 30%",
    "Нужен автомобиль для жены к весне",
    "Ждёт новую модель Haval",
)

IMPORTANT_DATES = (
    "Годовщина свадьбы",
    "День рождения супруги",
    "День рождения сына",
    "День рождения дочери",
    "Покупка первого автомобиля",
    "День компании",
)

NOTE_TEXTS = (
    ("Визит в салон", "Клиент осмотрел {car}, обсуждали комплектации и цвет."),
    ("Тест-драйв", "Прошёл тест-драйв {car}. Понравилась управляемость, смущает расход."),
    ("Расчёт кредита", "Сделан расчёт кредита на {car}, срок 5 лет, ждёт одобрения банка."),
    ("Трейд-ин", "Оценили автомобиль клиента для трейд-ин, предложили скидку на {car}."),
    ("Пожелания", "Хочет {car} в максимальной комплектации, готов ждать поставку."),
    ("Сервис", "Записан на ТО, напомнить за день. Автомобиль: {car}."),
    ("Жалоба", "Недоволен сроками ремонта, передано руководителю сервиса."),
    ("Мероприятие", "Приглашён на презентацию {car}, подтвердил участие."),
    ("Семья", "Приезжал с супругой, выбирают {car} для поездок на дачу."),
    ("Отказ", "Выбрал автомобиль у конкурента, просил не звонить до осени."),
)
CALL_TEXTS = (
    "Уточнил наличие {car} в салоне",
    "Договорились о тест-драйве {car} на выходных",
    "Спросил про акции на {car}",
    "Перезвонить после получения одобрения кредита",
    "Напомнили о плановом ТО",
    "Клиент просил прислать коммерческое предложение на {car}",
    "Не удобно говорить, перезвонить вечером",
)
