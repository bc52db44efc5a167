"""Money is Decimal, always. Two decimal places, half-up as the platforms round."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def to_money(value: object) -> Decimal:
    """Coerce a number or numeric string to a Decimal rounded to the cent.

    Floats are refused: a float has already lost the cent it was meant to hold.
    """
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a str, int or Decimal")
    if value is None:
        raise TypeError("money must not be None")
    try:
        return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount of money: {value!r}") from exc


def money_ratio(numerator: Decimal | int | None, denominator: Decimal | int | None) -> Decimal | None:
    """numerator / denominator as money (e.g. GMV / buyers), None when undefined."""
    if numerator is None or not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(CENT, rounding=ROUND_HALF_UP)
