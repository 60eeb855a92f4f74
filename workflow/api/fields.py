"""Serializer fields shared by every app's API."""

from workflow.api.serializers import StrictDecimalField

# Amounts in yuan: up to 99,999,999,999,999.99, as the models store them (DecimalField(16, 2)).
AMOUNT_DIGITS = 16
AMOUNT_PLACES = 2


class AmountField(StrictDecimalField):
    """An amount in yuan with two decimals, as every money column stores it (never rounded)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", AMOUNT_DIGITS)
        kwargs.setdefault("decimal_places", AMOUNT_PLACES)
        super().__init__(**kwargs)
