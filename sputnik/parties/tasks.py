"""Huey loads each app's `tasks` module; the parties app's background work lives in its
areas' packages and is registered by importing them here (one line per area)."""

from sputnik.parties.distribution.tasks import *  # noqa: F403
