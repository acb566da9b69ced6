import pytest


def test_CONV_1_AC1_boiling_point():
    from converter import celsius_to_fahrenheit

    assert celsius_to_fahrenheit(100) == 212.0


def test_CONV_1_AC2_below_absolute_zero_is_rejected():
    from converter import celsius_to_fahrenheit

    with pytest.raises(ValueError):
        celsius_to_fahrenheit(-300)
