"""Consent state per purpose × channel, as the card and the API show it.

The rule is the one `selectors.may_contact` applies (a grant for the channel or for any
channel, given by then, neither withdrawn nor expired by then); a test checks that every
"granted" cell is exactly a `may_contact` yes. This reads a person's grants once and
answers all cells from memory instead of asking the database per cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from sputnik.parties.models import Consent

GRANTED = "granted"
WITHDRAWN = "withdrawn"
EXPIRED = "expired"
NONE = "none"

CHANNELS = [c for c in Consent.Channel if c != Consent.Channel.ANY]


@dataclass(frozen=True)
class Cell:
    channel: str
    channel_label: str
    state: str
    grant: Consent | None = None

    @property
    def via_any_channel(self) -> bool:
        return self.grant is not None and self.grant.channel == Consent.Channel.ANY


@dataclass
class PurposeRow:
    purpose: str
    label: str
    cells: list[Cell] = field(default_factory=list)


def _valid(grant: Consent, at: dt.datetime) -> bool:
    return (
        grant.given_at <= at
        and (grant.withdrawn_at is None or grant.withdrawn_at > at)
        and (grant.expires_at is None or grant.expires_at > at)
    )


def cell_state(
    grants: Iterable[Consent], purpose: str, channel: str, at: dt.datetime
) -> tuple[str, Consent | None]:
    relevant = [
        g
        for g in grants
        if g.purpose == purpose and g.channel in (channel, Consent.Channel.ANY) and g.given_at <= at
    ]
    if not relevant:
        return NONE, None
    relevant.sort(key=lambda g: (g.given_at, g.pk or 0), reverse=True)
    valid = [g for g in relevant if _valid(g, at)]
    if valid:
        return GRANTED, valid[0]
    latest = relevant[0]
    if latest.withdrawn_at is not None and latest.withdrawn_at <= at:
        return WITHDRAWN, latest
    return EXPIRED, latest


def consent_matrix(grants: list[Consent], at: dt.datetime | None = None) -> list[PurposeRow]:
    when = at or timezone.now()
    rows = []
    for purpose in Consent.Purpose:
        row = PurposeRow(purpose=purpose.value, label=str(purpose.label))
        for channel in CHANNELS:
            state, grant = cell_state(grants, purpose.value, channel.value, when)
            row.cells.append(Cell(channel.value, str(channel.label), state, grant))
        rows.append(row)
    return rows
