"""Authentication backends."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Axes' lockout check for every sign-in that comes through a web request.

    Calls without a request (the test client's ``login``, management code)
    have no client address to throttle on; they skip the check instead of
    failing, and ModelBackend still checks the password.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_username(request, credentials) -> str:
    """The account axes counts failures for: the e-mail address as we store it (trimmed, lower case)."""
    value = (credentials or {}).get("username") or (request.POST.get("username", "") if request else "")
    return str(value).strip().lower()
