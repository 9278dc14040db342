from __future__ import annotations

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    """Roles are Django groups of these names; a user's authorities come from Membership."""

    ADMIN = "Admin"
    IMPROVEMENT_LEAD = "Improvement lead"
    SENIOR_LEADER = "Senior leader"
    VIEWER = "Viewer"


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
