"""View tests run with CSRF checks on, as a browser would meet them."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.web.translations import ensure_compiled_translations


class CsrfClient(Client):
    """A client that enforces CSRF, and can post a form the way a browser does (with the cookie's token)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(enforce_csrf_checks=True, **kwargs)

    def token(self) -> str:
        if "csrftoken" not in self.cookies:
            # Every page carries the language switch, a form, and so sets the cookie.
            self.get("/privacy/")
        return self.cookies["csrftoken"].value

    def submit(self, url: str, data: dict | None = None, **kwargs):
        """POST ``data`` with a valid CSRF token, like a form on one of our pages."""
        payload = dict(data or {})
        payload["csrfmiddlewaretoken"] = self.token()
        return self.post(url, payload, **kwargs)


@pytest.fixture
def client() -> CsrfClient:
    return CsrfClient()


@pytest.fixture(scope="session", autouse=True)
def _translations():
    ensure_compiled_translations()
