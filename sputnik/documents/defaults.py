"""The templates a new installation starts with; the company edits them in the admin.

Placeholders of the consent form (all plain text):
  person.full_name, person.short_name, person.last_name, person.first_name,
  person.middle_name, person.phone, person.email, person.address, person.birthday
  company.name, company.centre, company.city
  purposes: [{key, label}], channels: [{key, label}], date, wording_version
"""

from __future__ import annotations

CONSENT_FORM_KEY = "consent_form"
CONSENT_FORM_VERSION = "2026-01"

CONSENT_FORM_RU = """\
{% set wording = {
  "personal_data": "обработку моих персональных данных (ФИО, телефон, e-mail, адрес, дата рождения, сведения об автомобилях) для заключения и исполнения договоров, сервисного обслуживания и учёта обращений",
  "marketing": "получение информации об акциях, специальных предложениях и мероприятиях",
  "advertising": "получение рекламы (ст. 18 Федерального закона «О рекламе»)",
  "service": "получение сервисных сообщений: запись на обслуживание, готовность автомобиля, отзывные кампании",
  "analytics": "использование моих данных для анализа и улучшения качества обслуживания",
} %}
<h3 align="center">Согласие на обработку персональных данных и получение сообщений</h3>
<p>Я, <b>{{ person.full_name }}</b>{% if person.birthday %}, дата рождения {{ person.birthday }}{% endif %},
телефон: {{ person.phone or "____________________" }}, e-mail: {{ person.email or "____________________" }},
адрес: {{ person.address or "________________________________________" }},</p>
<p>в соответствии с Федеральным законом от 27.07.2006 № 152-ФЗ «О персональных данных» свободно,
своей волей и в своём интересе даю {{ company.name }} ({{ company.city }}) согласие на цели
и по каналам связи, отмеченные мной ниже знаком «✓»:</p>
<table border="1" width="100%" cellpadding="2">
<thead><tr><th width="35%">Цель</th>{% for c in channels %}<th width="13%" align="center">{{ c.label }}</th>{% endfor %}</tr></thead>
<tbody>
{% for p in purposes %}
<tr><td>{{ p.label }}: {{ wording.get(p.key, "") }}</td>
{% if p.key == "personal_data" %}<td colspan="{{ channels|length }}" align="center">☐ согласен(на)</td>
{% else %}{% for c in channels %}<td align="center">☐</td>{% endfor %}{% endif %}
</tr>
{% endfor %}
</tbody>
</table>
<p>Согласие действует до его отзыва. Я могу отозвать его полностью или по отдельной цели и каналу
в любой момент: письменным заявлением, по телефону или по ссылке в любом сообщении.</p>
<p>Редакция текста согласия: {{ wording_version }}.</p>
<p>Дата: {{ date }}</p>
<p>Подпись: ______________________ / {{ person.short_name }} /</p>
"""

CONSENT_FORM_EN = """\
{% set wording = {
  "personal_data": "processing of my personal data (name, phone, e-mail, address, date of birth, vehicle details) to conclude and perform contracts, service my vehicles and keep a record of my requests",
  "marketing": "information about promotions, special offers and events",
  "advertising": "advertising messages",
  "service": "service messages: service bookings, vehicle ready for pick-up, recalls",
  "analytics": "use of my data to analyse and improve the quality of service",
} %}
<h3 align="center">Consent to personal data processing and to receiving messages</h3>
<p>I, <b>{{ person.full_name }}</b>{% if person.birthday %}, born {{ person.birthday }}{% endif %},
phone: {{ person.phone or "____________________" }}, e-mail: {{ person.email or "____________________" }},
address: {{ person.address or "________________________________________" }},</p>
<p>freely and in my own interest give {{ company.name }} ({{ company.city }}) my consent for the
purposes and through the channels I have ticked below:</p>
<table border="1" width="100%" cellpadding="2">
<thead><tr><th width="35%">Purpose</th>{% for c in channels %}<th width="13%" align="center">{{ c.label }}</th>{% endfor %}</tr></thead>
<tbody>
{% for p in purposes %}
<tr><td>{{ p.label }}: {{ wording.get(p.key, "") }}</td>
{% if p.key == "personal_data" %}<td colspan="{{ channels|length }}" align="center">☐ I agree</td>
{% else %}{% for c in channels %}<td align="center">☐</td>{% endfor %}{% endif %}
</tr>
{% endfor %}
</tbody>
</table>
<p>This consent is valid until withdrawn. I may withdraw it in full or for one purpose and channel
at any time: in writing, by phone or through the link in any message.</p>
<p>Consent wording version: {{ wording_version }}.</p>
<p>Date: {{ date }}</p>
<p>Signature: ______________________ / {{ person.short_name }} /</p>
"""

DEFAULT_TEMPLATES = [
    {
        "key": CONSENT_FORM_KEY,
        "language": "ru",
        "title": "Согласие на обработку персональных данных",
        "version": CONSENT_FORM_VERSION,
        "body": CONSENT_FORM_RU,
    },
    {
        "key": CONSENT_FORM_KEY,
        "language": "en",
        "title": "Consent to personal data processing",
        "version": CONSENT_FORM_VERSION,
        "body": CONSENT_FORM_EN,
    },
]
