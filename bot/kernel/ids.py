"""Public IDs: how a record with a lifecycle is named to people ('LR-1042', 'ST-1001').

One scheme per kind of record, one parser for all of them. The row id is offset so that the
first record reads as 1001: short, readable, never 0."""

from __future__ import annotations

from dataclasses import dataclass

OFFSET = 1000
MAX_DIGITS = 18  # int() reads these at once; 4,300+ digits it refuses, a bigint holds 18


@dataclass(frozen=True)
class PublicIds:
    """The public IDs of one kind of record: `prefix` + (row id + OFFSET).

    `noun` is what people call the record ("request", "ticket"): refusals name it."""

    prefix: str
    noun: str

    def __post_init__(self) -> None:
        _SCHEMES[self.prefix] = self

    def format(self, row_id: int) -> str:
        return f"{self.prefix}{row_id + OFFSET}"

    def parse(self, text: str) -> int | None:
        """'LR-1042' (any case, surrounding blanks, or just '1042') -> 42; None when it is not
        one of this kind."""
        text = text.strip().upper()
        if text.startswith(self.prefix):
            text = text[len(self.prefix):]
        # ASCII digits only: '²'.isdigit() is true, and int() would refuse it.
        if not (text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS):
            return None
        number = int(text)
        return number - OFFSET if number > OFFSET else None


_SCHEMES: dict[str, PublicIds] = {}

REQUEST_IDS = PublicIds("LR-", "request")
TICKET_IDS = PublicIds("ST-", "ticket")


def scheme_of(public_id: str) -> PublicIds | None:
    """The kind of record a public ID names, by its prefix; None for anything else."""
    head = public_id.strip().upper()
    return next((s for p, s in _SCHEMES.items() if head.startswith(p)), None)
