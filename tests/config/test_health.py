import pytest
from django.db import OperationalError


@pytest.mark.django_db
def test_healthz_answers_with_a_database_round_trip(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_reports_503_when_the_database_is_unreachable(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


@pytest.mark.django_db
def test_pages_answer_a_friendly_503_when_the_database_is_unreachable(demo, monkeypatch):
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.force_login(demo["lead"])
    from django.db.backends.utils import CursorWrapper

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    response = client.get("/authorities/barnsley/")
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in response.content.decode()
    assert "Traceback" not in response.content.decode()
    monkeypatch.undo()
    assert client.get("/authorities/barnsley/").status_code == 200, "recovers without a restart"
