"""Property-based requests from the API's own OpenAPI description (Schemathesis), sent to the WSGI app as an
improvement lead with a token: no answer is a server error, and every answer's status, content type and
body are the ones the description gives. Few examples per operation, so the whole run takes seconds."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from api.services import token_create
from config.wsgi import application

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def _keep_the_test_connection():
    # The WSGI app is called directly, not through Django's test client, which would stop a request's end
    # from closing the database connection that holds the test's transaction: do the same here.
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


@pytest.fixture
def api_key(_keep_the_test_connection, db, owner, ours, theirs, settings):
    settings.API_RATE_LIMIT = "100000/min"
    return token_create(user=owner, name="Schemathesis")[1]


@pytest.fixture
def api_schema(api_key):
    return schemathesis.openapi.from_wsgi(
        "/api/v1/schema/?format=json", application, headers={"Authorization": f"Token {api_key}"}
    )


# Each operation's cases are drawn here rather than through schemathesis.pytest.from_fixture, whose
# subtests need a pytest node attribute that pytest 9 no longer has.
def test_the_api_answers_as_its_description_says(api_schema, api_key):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 13
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck),
                             derandomize=True, database=None)
        def answers_as_described(case):
            response = case.call(headers={"Authorization": f"Token {api_key}"})
            case.validate_response(response, checks=CHECKS)

        answers_as_described()
