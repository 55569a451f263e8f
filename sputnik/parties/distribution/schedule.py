"""Working hours: who is on duty at a moment.

A centre or manager with no hours at all counts as always on duty, so working hours are
opt-in per centre. Times are read in the centre's own time zone.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings

from sputnik.parties.models import CentreDistributionSettings, WorkingHours


class DutyRoster:
    """The hours of a few centres, loaded in two queries, asked many times."""

    def __init__(self, centre_ids: Iterable[int]) -> None:
        ids = sorted(set(centre_ids))
        self._zones: dict[int, dt.tzinfo] = {
            s.centre_id: s.zone()
            for s in CentreDistributionSettings.objects.filter(centre_id__in=ids)
        }
        self._centre_hours: dict[int, list[WorkingHours]] = defaultdict(list)
        self._user_hours: dict[int, list[WorkingHours]] = defaultdict(list)
        for row in WorkingHours.objects.filter(centre_id__in=ids):
            if row.user_id is None:
                self._centre_hours[row.centre_id].append(row)
            else:
                self._user_hours[row.user_id].append(row)

    def _local(self, centre_id: int, at: dt.datetime) -> dt.datetime:
        zone = self._zones.get(centre_id) or zoneinfo.ZoneInfo(settings.TIME_ZONE)
        return at.astimezone(zone)

    @staticmethod
    def _covers(rows: list[WorkingHours], local: dt.datetime) -> bool:
        moment = local.time()
        return any(r.weekday == local.weekday() and r.starts <= moment < r.ends for r in rows)

    def centre_on_duty(self, centre_id: int, at: dt.datetime) -> bool:
        rows = self._centre_hours.get(centre_id)
        return True if not rows else self._covers(rows, self._local(centre_id, at))

    def user_on_duty(self, centre_id: int, user_id: int, at: dt.datetime) -> bool:
        """A manager with hours of their own follows them; otherwise the centre's."""
        rows = self._user_hours.get(user_id)
        if not rows:
            return self.centre_on_duty(centre_id, at)
        return self._covers(rows, self._local(centre_id, at))
