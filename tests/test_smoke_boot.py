"""The app builds and answers on the embedded default."""


def test_app_healthz_answers(client):
    """/healthz answers ok without touching the database."""
    assert client.get("/healthz").get_json() == {"status": "ok"}
