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
    # How the person proved who they are: a password, the council's single sign-on, or a second factor.
    method = models.CharField(max_length=16, blank=True, default="")
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


class SignInMethod(models.TextChoices):
    PASSWORD = "password", "Password"
    SINGLE_SIGN_ON = "single_sign_on", "Single sign-on"
    SECOND_FACTOR = "second_factor", "Second factor"


class SignOnIdentity(models.Model):
    """A person's account at a council's identity provider: the issuer and the token's stable subject
    (Entra's `oid`), never a display name or an email, which people can change.

    An identity whose email already belonged to a local account is kept without a user (`user` empty)
    until an admin links the two: the email alone never hands over an account.
    """

    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="sign_on_identities"
    )
    tenant = models.CharField(max_length=64, blank=True)
    email = models.EmailField(blank=True)
    display_name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_signed_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="signonidentity_unique")]

    def __str__(self) -> str:
        return f"{self.display_name or self.email or self.subject} ({self.issuer})"


class PeopleChangeKind(models.TextChoices):
    INVITED = "invited", "Invited"
    CREATED_BY_SIGN_ON = "created_by_sign_on", "Created at first single sign-on"
    ROLE_SET = "role_set", "Role changed"
    COUNCIL_ADDED = "council_added", "Given access to a council"
    COUNCIL_REMOVED = "council_removed", "Access to a council taken away"
    DEACTIVATED = "deactivated", "Deactivated"
    REACTIVATED = "reactivated", "Reactivated"
    TWO_FACTOR_RESET = "two_factor_reset", "Two-factor reset"
    SIGN_ON_LINKED = "sign_on_linked", "Single sign-on linked"


class PeopleChange(models.Model):
    """Append-only audit of every change to a person's access, written by accounts.services only."""

    kind = models.CharField(max_length=24, choices=PeopleChangeKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="people_changes"
    )
    person_label = models.CharField(max_length=255)
    authority = models.ForeignKey(
        "inspections.LocalAuthority", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detail = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=PeopleChangeKind.values), name="peoplechange_kind_valid")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.person_label}"

    def save(self, *args, **kwargs) -> None:
        from django.core.exceptions import ValidationError

        if self.pk is not None and not self._state.adding:
            raise ValidationError("The people-change record is append-only: a change cannot be edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        from django.core.exceptions import ValidationError

        raise ValidationError("The people-change record is append-only: a change cannot be deleted.")
