"""API tokens: a person's named, expiring, revocable keys for reading the API from Power BI, Excel or a
script. Only a hash of each key is kept (the key is shown once, when it is made); each day's use of a token
is one counter row, so recording every request costs one small UPDATE."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

TOKEN_PREFIX = "ift_"
# How much of a key is kept in clear to recognise it in the list ("ift_" and 6 more characters).
SHOWN_CHARACTERS = 10


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField("SHA-256 of the key", max_length=64, unique=True)
    shown = models.CharField("start of the key", max_length=SHOWN_CHARACTERS)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="apitoken_name_not_empty"),
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="apitoken_expires_after_creation"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.shown}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "Revoked"
        if self.expires_at <= timezone.now():
            return "Expired"
        return "Active"


class ApiTokenUse(models.Model):
    """How many requests a token made on one day (Europe/London), and when the last of them came."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="uses")
    day = models.DateField()
    requests = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField()

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["token", "day"], name="apitokenuse_one_row_a_day")]

    def __str__(self) -> str:
        return f"{self.token} on {self.day}: {self.requests}"
