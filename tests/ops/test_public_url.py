"""Documents' QR codes and verification links point where `make run` serves, unless configured."""

from config.settings.base import public_url_default


def test_the_public_url_follows_host_and_port():
    assert public_url_default({}) == "http://127.0.0.1:8000"
    assert public_url_default({"PORT": "8101"}) == "http://127.0.0.1:8101"
    assert public_url_default({"HOST": "credit.local", "PORT": "80"}) == "http://credit.local:80"
    # A wildcard bind address is not something a reader can open.
    assert public_url_default({"HOST": "0.0.0.0", "PORT": "8101"}) == "http://127.0.0.1:8101"  # noqa: S104
