"""Plain-language numbers for the panels: sizes, speeds, money and dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

_KB = 1024
_MB = 1024 * 1024


def format_size(count: int) -> str:
    """A byte count as people read it: ``"512 bytes"``, ``"9.8 KB"``, ``"140 MB"``."""
    if count < _KB:
        return f"{count} bytes"
    if count < _MB:
        return f"{count / _KB:.1f} KB"
    digits = 1 if count < 10 * _MB else 0
    return f"{count / _MB:.{digits}f} MB"


def format_transfer(sent: int, total: int, bytes_per_second: float) -> str:
    """Upload progress, e.g. ``"12.4 of 140 MB · 3.1 MB/s"`` (sent in the total's unit)."""
    unit, divisor = ("MB", _MB) if total >= _MB else ("KB", _KB)
    total_digits = 0 if total >= 10 * divisor else 1
    text = f"{sent / divisor:.1f} of {total / divisor:.{total_digits}f} {unit}"
    if bytes_per_second > 0:
        speed_unit, speed_div = ("MB/s", _MB) if bytes_per_second >= _MB else ("KB/s", _KB)
        text += f" · {bytes_per_second / speed_div:.1f} {speed_unit}"
    return text


def format_money(amount: Decimal) -> str:
    """US dollars with cents; small non-zero amounts keep enough digits to show."""
    if amount == 0:
        return "$0.00"
    if amount >= Decimal("0.01"):
        return f"${amount:,.2f}"
    return f"${amount:.4f}"


def format_date(day: dt.date) -> str:
    """``"14 January 2027"``."""
    return f"{day.day} {day:%B %Y}"
