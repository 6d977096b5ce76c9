"""Quick password hashes while the demo is loaded.

Replaying the story asks for the signatory's password at every one of some
sixty signatures (the signing step-up), and the production hash costs about
a third of a second each. While seeding, the demo users' hashes are made with
few PBKDF2 iterations: the same algorithm, so the normal hasher still checks
them after seeding, and Django upgrades each one to the full number of
iterations the first time its person signs in. The demo password is published
anyway, and production refuses demo data.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher
from django.test.utils import override_settings

QUICK_ITERATIONS = 1_000


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2-SHA256 with few iterations (its hashes read as ordinary pbkdf2_sha256 ones)."""

    iterations = QUICK_ITERATIONS


@contextlib.contextmanager
def quick_password_hashing() -> Iterator[None]:
    """Within this block new hashes, and checks of them, are quick; outside, nothing changes."""
    preferred = get_hasher()
    if preferred.algorithm != QuickPBKDF2PasswordHasher.algorithm or preferred.iterations <= QUICK_ITERATIONS:
        yield  # already quick (the tests' MD5), or a hasher whose hashes a quick variant could not stand in for
        return
    quick = f"{QuickPBKDF2PasswordHasher.__module__}.{QuickPBKDF2PasswordHasher.__qualname__}"
    with override_settings(PASSWORD_HASHERS=[quick, *settings.PASSWORD_HASHERS]):
        yield
