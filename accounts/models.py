from __future__ import annotations

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    """Roles are Django groups of these names; a user's authorities come from Membership."""

    ADMIN = "Admin"
    IMPROVEMENT_LEAD = "Improvement lead"
    SENIOR_LEADER = "Senior leader"
    VIEWER = "Viewer"
    # Partner agencies (health, police, schools) see and update only the actions assigned to them.
    PARTNER = "Partner"


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    authority = models.ForeignKey(
        "inspections.LocalAuthority", on_delete=models.CASCADE, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "authority"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.authority}"


class SignInEventKind(models.TextChoices):
    SIGNED_IN = "signed_in", "Signed in"
    FAILED = "failed", "Failed sign-in"
    SIGNED_OUT = "signed_out", "Signed out"


class SignInEvent(models.Model):
    """Append-only audit of sign-ins, failed sign-ins and sign-outs, written by auth signals.

    The username typed is kept as text, so failed attempts against unknown names are recorded too and
    the row outlives the user account.
    """

    kind = models.CharField(max_length=12, choices=SignInEventKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=SignInEventKind.values), name="signinevent_kind_valid")
        ]
        indexes = [models.Index(fields=["username", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.username or '(blank)'} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        from django.core.exceptions import ValidationError

        if self.pk is not None and not self._state.adding:
            raise ValidationError("The sign-in record is append-only: an event cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        from django.core.exceptions import ValidationError

        raise ValidationError("The sign-in record is append-only: an event cannot be deleted.")
