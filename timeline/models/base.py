"""The declarative base and its naming convention, and the date columns every dated record
shares (:class:`DatedMixin`), with the checks the tables repeat."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from timeline.dates import HistDate, Precision

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class DatedMixin:
    """A historical date: its EDTF string plus the derived columns SQL sorts and filters on."""

    date_edtf: Mapped[str] = mapped_column(String(64))
    date_start: Mapped[dt.date] = mapped_column(Date, index=True)
    date_end: Mapped[dt.date] = mapped_column(Date)
    date_precision: Mapped[str] = mapped_column(String(16))
    date_approximate: Mapped[bool]
    date_uncertain: Mapped[bool]
    date_text: Mapped[str | None] = mapped_column(
        Text, comment="the source's own words for the date"
    )
    date_display: Mapped[str] = mapped_column(
        String(80), comment="as a historian writes it (26 Feb 1961, c. 1945); from date_edtf"
    )

    @property
    def date(self) -> HistDate:
        return HistDate.parse(self.date_edtf, text=self.date_text)

    @date.setter
    def date(self, value: HistDate) -> None:
        for name, column_value in date_columns(value).items():
            setattr(self, name, column_value)


def date_columns(value: HistDate) -> dict[str, object]:
    """The column values that store a date (see :class:`DatedMixin`)."""
    return {
        "date_edtf": str(value),
        "date_start": value.start,
        "date_end": value.end,
        "date_precision": value.precision.value,
        "date_approximate": value.approximate,
        "date_uncertain": value.uncertain,
        "date_text": value.text,
        "date_display": value.display(),
    }


def date_checks() -> tuple[CheckConstraint, CheckConstraint]:
    precisions = ", ".join(f"'{p.value}'" for p in Precision)
    return (
        CheckConstraint("date_start <= date_end", name="date_order"),
        CheckConstraint(f"date_precision IN ({precisions})", name="date_precision"),
    )


def key_check() -> CheckConstraint:
    # timeline.integrity checks all white space; SQL's trim() knows only the space.
    return CheckConstraint("key <> '' AND key = trim(key)", name="key")


def words_check(column: str, words: frozenset[str]) -> CheckConstraint:
    return CheckConstraint(
        f"{column} IN (" + ", ".join(f"'{w}'" for w in sorted(words)) + ")", name=column
    )
