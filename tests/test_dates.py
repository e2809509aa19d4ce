"""Listing dates: every spelling DATE_RE lets through is either read right or marked unknown."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.inputs.listings import DATE_RE
from generator.text.dates import UNKNOWN, iso_date, listing_date_key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Aug 12", (0, 8, 12)),
        ("August 12", (0, 8, 12)),
        ("Sept 3", (0, 9, 3)),
        ("Sep 3", (0, 9, 3)),
        ("Aug. 7", (0, 8, 7)),
        ("Aug 12, 2024", (2024, 8, 12)),
        ("December 31, 1999", (1999, 12, 31)),
        ("  Mar 20  ", (0, 3, 20)),
        ("aug 12", (0, 8, 12)),
        ("2024-08-12", (2024, 8, 12)),
        ("Feb 29", (0, 2, 29)),
        ("Feb 29, 2024", (2024, 2, 29)),
    ],
)
def test_listing_dates_are_read(text: str, key: tuple[int, int, int]) -> None:
    assert listing_date_key(text) == key


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "Aug",
        "12 Aug",
        "Mayday 3",
        "Ma 3",
        "Feb 30",
        "Feb 29, 2023",
        "Apr 31",
        "Aug 0",
        "Aug 12, 0000",
        "2024-13-01",
        "2024-02-30",
        "0000-01-01",
        "2024-8-12",
        "20240812",
        "Aug 12 2024 extra",
        "<script>",
    ],
)
def test_anything_else_is_unknown(text: str | None) -> None:
    assert listing_date_key(text) == UNKNOWN
    assert iso_date(text) is None


def test_iso_date_only_with_a_year() -> None:
    assert iso_date("Aug 12, 2024") == "2024-08-12"
    assert iso_date("Sept 3, 2023") == "2023-09-03"
    assert iso_date("2024-08-12") == "2024-08-12"
    assert iso_date("Aug 12") is None


def test_keys_sort_in_time_and_yearless_dates_first() -> None:
    texts = ["Aug 12, 2024", "Aug 7", "Jan 2, 2025", "2023-12-31", "Mar 20", None]
    ordered = sorted(texts, key=listing_date_key)
    assert ordered == [None, "Mar 20", "Aug 7", "2023-12-31", "Aug 12, 2024", "Jan 2, 2025"]


@given(
    st.sampled_from(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Sept"]),
    st.integers(min_value=1, max_value=28),
    st.one_of(st.none(), st.integers(min_value=1900, max_value=2100)),
)
def test_what_date_re_matches_is_read(month: str, day: int, year: int | None) -> None:
    text = f"{month} {day}" + (f", {year}" if year else "")
    assert DATE_RE.fullmatch(text)
    key = listing_date_key(text)
    assert key[1:] != (0, 0)
    assert key[2] == day
    assert key[0] == (year or 0)
    assert (iso_date(text) is None) == (year is None)


@given(st.text(max_size=30))
def test_arbitrary_text_never_raises(text: str) -> None:
    key = listing_date_key(text)
    assert key == UNKNOWN or 1 <= key[1] <= 12


def test_only_ascii_digits_count() -> None:
    assert listing_date_key("Aug \u0661\u0662") == UNKNOWN
    assert listing_date_key("\u0662\u0660\u0662\u0664-08-12") == UNKNOWN
