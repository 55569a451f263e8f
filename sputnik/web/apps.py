from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "sputnik.web"
    label = "web"
