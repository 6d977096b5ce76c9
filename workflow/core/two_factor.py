"""Checking a second-step code (django-otp): the code from an authenticator app, or a recovery code.

The sign-in's code step and the step-up at signing both ask here, so a code
means the same in both places. django-otp throttles each device itself: after
a wrong code the next try waits longer (doubling), which makes guessing six
digits pointless; the callers count and log the failures besides.
"""

from __future__ import annotations

from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from agreements.models import User

RECOVERY_DEVICE_NAME = "herstelcodes"


def has_two_factor(user: User) -> bool:
    """Has this person set up an authenticator app (a confirmed TOTP device)?"""
    return user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def normalised_code(code: str) -> str:
    """People type codes with spaces or dashes ("123 456", "abcd-efgh"); devices compare the bare characters."""
    return "".join(character for character in code if character.isalnum()).lower()


def matching_device(user: User, code: str, *, allow_recovery_code: bool) -> Device | None:
    """The device that accepts ``code`` (a recovery code is used up), or None. Throttled per device."""
    code = normalised_code(code)
    if not code:
        return None
    with transaction.atomic():
        devices: list[Device] = list(TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True))
        if allow_recovery_code:
            devices += list(StaticDevice.objects.select_for_update().filter(user=user, confirmed=True))
        for device in devices:
            allowed, _reason = device.verify_is_allowed()
            if allowed and device.verify_token(code):
                return device
    return None


def is_recovery_device(device: Device) -> bool:
    return isinstance(device, StaticDevice)


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def code_throttled(user: User) -> bool:
    """After a wrong code django-otp makes the next try wait (1 s, 2 s, 4 s …): is that wait still running?"""
    return any(not device.verify_is_allowed()[0] for device in TOTPDevice.objects.filter(user=user, confirmed=True))
