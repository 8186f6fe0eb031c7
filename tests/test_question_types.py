"""The question-type registry: every built-in type is registered, one number parser, one "answered"."""

from decimal import Decimal

import pytest

from surveys.questiontypes import (
    AnswerError,
    QuestionType,
    all_types,
    get,
    is_answered,
    parse_number,
    to_number,
)


def test_every_built_in_type_is_registered_in_list_order():
    assert [kind.code for kind in all_types()] == list(QuestionType.values)


@pytest.mark.parametrize(
    "raw,number",
    [
        ("12,5", Decimal("12.5")),
        ("1 000", Decimal("1000")),
        ("1\u00a0000", Decimal("1000")),
        ("\u22123", Decimal("-3")),
        (7, Decimal(7)),
    ],
)
def test_one_number_parser_reads_swedish_habits(raw, number):
    assert parse_number(raw) == number
    assert to_number(raw) == number


@pytest.mark.parametrize("raw", ["tolv", "", "NaN", "Infinity", True, [1], {"total": 1}, None])
def test_number_parser_refuses_what_is_not_a_number_in_swedish(raw):
    with pytest.raises(AnswerError) as refused:
        parse_number(raw)
    assert refused.value.message.startswith("Ange")
    assert to_number(raw) is None


def test_integer_refuses_decimals_with_a_swedish_message():
    with pytest.raises(AnswerError, match="heltal utan decimaler"):
        parse_number("2,5", integer=True)


@pytest.mark.parametrize("value", [None, "", "   ", [], {}, {"flickor": "", "pojkar": None}])
def test_blank_values_are_not_answered(value):
    assert not is_answered(value)


@pytest.mark.parametrize("value", ["ja", 0, 0.0, False, ["a"], {"flickor": 0}])
def test_given_values_are_answered(value):
    assert is_answered(value)


def test_a_type_no_longer_known_refuses_new_input_in_swedish():
    with pytest.raises(AnswerError, match="Frågetypen stöds inte"):
        get("removed_type").clean(None, "x")
