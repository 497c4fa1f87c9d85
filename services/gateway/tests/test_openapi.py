"""The OpenAPI document says what the gateway does: the statuses it answers, the bodies it takes
and returns, the form of its path parameters (the e2e fuzz test holds the live API to it)."""

import pytest
from openapi_spec_validator import validate
from pydantic import ValidationError

from aww_gateway.app import create_app
from aww_gateway.areas.identity.api import ProfileChange
from aww_gateway.settings import Settings


@pytest.fixture(scope="module")
def document():
    return create_app(Settings(secret_key="x")).state.openapi


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_the_document_is_valid_openapi(document):
    validate(document)


def test_every_operation_with_a_json_body_documents_415(document):
    with_body = [
        (path, method, operation)
        for path, method, operation in operations(document)
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]
    assert len(with_body) > 50
    assert [(method, path) for path, method, operation in with_body if "415" not in operation["responses"]] == []


def test_identifiers_in_paths_are_uuids_and_other_parameters_say_their_form(document):
    parameters = {
        (path, parameter["name"]): parameter["schema"]
        for path, _, operation in operations(document)
        for parameter in operation["parameters"]
        if parameter["in"] == "path"
    }
    assert all(schema["format"] == "uuid" for (_, name), schema in parameters.items() if name.endswith("_id"))
    assert parameters[("/api/v1/aml/annual-reports/{year}", "year")]["pattern"] == "^[0-9]{4}$"
    assert parameters[("/api/v1/aml/officer/cases/{kind}/{case_id}", "kind")]["enum"] == ["risk_profile", "transaction"]
    assert (
        "tenant"
        in parameters[("/api/v1/aml/transactions/{transaction_id}/parties/{contact_id}/{role}", "role")]["enum"]
    )


def test_an_operation_that_describes_its_own_success_has_no_invented_204(document):
    download = document["paths"]["/api/v1/wallet/documents/{document_id}"]["get"]["responses"]
    webhook = document["paths"]["/api/v1/wallet/payments/webhook"]["post"]
    assert "200" in download and "204" not in download
    assert "200" in webhook["responses"] and "204" not in webhook["responses"]
    assert "application/x-www-form-urlencoded" in webhook["requestBody"]["content"]


def test_operations_that_answer_json_document_it(document):
    lists = document["paths"]["/api/v1/aml/screening/lists"]
    assert lists["get"]["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "object"
    assert "multipart/form-data" in lists["post"]["requestBody"]["content"]
    starred = document["paths"]["/api/v1/me/default-organisation"]["put"]["responses"]["200"]
    assert starred["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/DefaultOrganisation"}


def resolve(document, schema):
    return document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]


def test_two_areas_models_of_the_same_name_are_two_schemas(document):
    # the AML and the transaction questionnaire are both `Questionnaire`: one overwrote the other
    def questionnaire(path):
        answer = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        return resolve(document, answer)

    contact = questionnaire("/api/v1/aml/contacts/{contact_id}/risk-profile-questions")
    transaction = questionnaire("/api/v1/aml/transaction-questions")
    assert "skippable" in contact["properties"] and "skippable" not in transaction["properties"]


def test_a_profile_change_offers_no_null_where_the_service_refuses_one(document):
    properties = document["components"]["schemas"]["ProfileChange"]["properties"]
    assert properties["language"] == {"enum": ["nl", "fr", "en"], "title": "Language", "type": "string"}
    assert "anyOf" not in properties["first_name"] and properties["first_name"]["maxLength"] == 300
    assert {"type": "null"} in properties["phone"]["anyOf"]  # null clears the phone number


def test_a_null_where_the_document_offers_none_is_passed_on_not_a_crash():
    # the fuzz test found it: a length limit on `str | None` applied to the null (TypeError → 500)
    change = ProfileChange.model_validate_json('{"last_name": null, "first_name": ""}')
    assert change.model_dump(exclude_unset=True) == {"last_name": None, "first_name": ""}
    with pytest.raises(ValidationError):
        ProfileChange.model_validate_json('{"last_name": "' + "x" * 301 + '"}')
