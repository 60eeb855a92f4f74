"""Endpoints read validated_data: the values they cannot do without are refused by their input
serializer, every field at once, in the words the API has always used (a 400 `invalid`)."""

import pytest
from django.utils import translation

from contracts.complaints.api.serializers import ComplaintEvaluateIn
from repair.api.serializers import ApplicationValues, DecideIn, ObjectionAnswerIn, ServeIn
from workflow.api.serializers import validate_input
from workflow.errors import ValidationFailed

SAY = "Say true or false."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def refused(serializer, data) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        validate_input(serializer, data)
    assert caught.value.code == "invalid"
    return caught.value.errors


@pytest.mark.parametrize("approve", ["yes", 1, "on", None, "maybe"])
def test_a_decision_flag_is_true_or_false_only(approve):
    assert refused(DecideIn, {"approve": approve, "reason": "x"}) == {"approve": [SAY]}


def test_a_missing_flag_is_named_and_the_words_true_and_false_count():
    assert refused(DecideIn, {"reason": "x"}) == {"approve": [SAY]}
    assert validate_input(DecideIn, {"approve": " TRUE ", "reason": " x "}) == {"approve": True, "reason": "x"}
    assert validate_input(DecideIn, {"approve": False})["approve"] is False


def test_serving_needs_a_date_and_every_error_comes_at_once():
    errors = refused(ServeIn, {"method": "in_person", "recipient": "张\x00伟"})
    assert errors["delivered_on"] == ["Enter a date as YYYY-MM-DD."]
    assert list(errors) == ["delivered_on", "recipient"]
    assert refused(ServeIn, {"delivered_on": "2025-13-01"}) == {"delivered_on": ["Enter a date as YYYY-MM-DD."]}


def test_an_answer_corrects_only_the_editable_parts():
    errors = refused(ObjectionAnswerIn, {"upheld": True, "answer": "x", "corrections": {"amount": "1"}})
    assert errors == {"corrections": ["Only the facts, the basis or the end of publication can be corrected."]}
    errors = refused(ObjectionAnswerIn, {"upheld": "yes", "corrections": {"publication_ends_on": "soon"}})
    assert errors == {"upheld": [SAY], "corrections.publication_ends_on": ["Enter a date as YYYY-MM-DD."]}
    values = validate_input(ObjectionAnswerIn, {"upheld": True, "corrections": {"publication_ends_on": "2027-01-31"}})
    assert str(values["corrections"]["publication_ends_on"]) == "2027-01-31" and values.get("revoke") is None


def test_an_application_names_its_records():
    assert refused(ApplicationValues, {"correction": "x"}) == {"records": ["Choose one or more of your own records."]}
    values = validate_input(ApplicationValues, {"records": "12，13", "commitment": {"accepted": "true"}})
    assert values["records"] == [12, 13] and values["commitment"]["accepted"] is True


def test_the_complainant_says_whether_satisfied():
    message = "Say whether you are satisfied (true or false)."
    assert refused(ComplaintEvaluateIn, {"mobile_last4": "5678"}) == {"satisfied": [message]}
    assert refused(ComplaintEvaluateIn, {"satisfied": "yes"}) == {"satisfied": [message]}
