"""The client address behind the documented proxy, and a magic-link throttle that never locks out a
real link because of others' failures."""

import logging

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from backend.client import client_address
from backend.logging import RedactTokensFilter
from surveys.services.tokens import issue_token
from surveys.views import GUESS_KEY
from tests import factories

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def _forget_failed_links():
    keys = [GUESS_KEY.format(a) for a in (PROXY, "203.0.113.7", "198.51.100.4", "127.0.0.1")]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


def test_forwarded_header_is_ignored_without_a_configured_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(request) == PROXY


def test_client_is_read_from_the_trusted_proxys_entry_not_from_what_the_client_sent(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    spoofed = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_address(spoofed) == "203.0.113.7"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(spoofed) == "6.6.6.6"
    direct = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1")
    assert client_address(direct) == "192.0.2.1"


def test_one_client_guessing_behind_the_proxy_cannot_lock_out_the_city(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"magic_link": "5/min"}}
    assignment = factories.AssignmentFactory()
    raw = issue_token(
        assignment=assignment, contact=factories.ContactFactory(organisation=assignment.organisation)
    )
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
    for n in range(20):
        attacker.get(f"/l/bogus{n}/")
    assert attacker.get("/l/bogus-again/").status_code == 429
    colleague = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert colleague.get(f"/l/{raw}/").status_code == 302


def test_a_valid_link_works_even_after_many_failures_from_the_same_address(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"magic_link": "3/min"}}
    assignment = factories.AssignmentFactory()
    raw = issue_token(
        assignment=assignment, contact=factories.ContactFactory(organisation=assignment.organisation)
    )
    client = Client()
    for n in range(10):
        client.get(f"/l/bogus{n}/")
    assert client.get(f"/l/{raw}/").status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        "/L/SECRETtoken123/",
        "/l//SECRETtoken123/",
        "/l/SECRETtoken123",
        "/l/SECRETtoken123/?utm=1",
        "/l?token=SECRETtoken123",
        "/%6C/SECRETtoken123/",
        "/l%2FSECRETtoken123/",
    ],
)
def test_no_spelling_of_a_link_puts_its_token_in_the_request_log(path, caplog):
    with caplog.at_level(logging.INFO):
        Client().get(path)
    record = logging.LogRecord("django.server", logging.INFO, "", 0, '"GET %s HTTP/1.1" 404 0', (path,), None)
    RedactTokensFilter().filter(record)
    assert "SECRETtoken123" not in record.getMessage()
    for logged in caplog.records:
        RedactTokensFilter().filter(logged)
        assert "SECRETtoken123" not in logged.getMessage()
