"""The permission-policy base class: one object per model answers "may this user do X to this row" and
"which rows may this user do X to" (after wagtail's permission policies).

Each app defines its policy beside its models (actions.permissions.action_policy, ...). A service asks its
policy before it writes; a view fetches a row through the policy so that a row outside the user's councils
is a 404, and otherwise only asks it what to show.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404


class _SystemActor:
    """The tracker itself writing (the demo loader, the data generator, the command line): no person and no
    council scope. Services let it past the checks of who may do something, never past the rules about
    values (no action starts complete or closed, evidence before complete, reasons for a due date or a
    RAG override), and it can never verify an action: closing is always a second *person's* check.

    A service never treats a missing user (None) as the system: it has to be named.
    """

    pk = None
    is_authenticated = False
    is_superuser = False
    is_staff = False

    def __repr__(self) -> str:
        return "SYSTEM"

    def get_username(self) -> str:
        return "system"


SYSTEM = _SystemActor()


class ModelPermissionPolicy:
    """Subclasses set `model` and implement `instances_user_has_permission_for`.

    `action` is a verb such as "view", "change", "add", "verify": each policy lists the ones it knows in
    `actions` and refuses any other, so a misspelt verb fails loudly instead of answering no.
    """

    model: type[Model]
    actions: tuple[str, ...] = ("view", "change")

    def _check_action(self, action: str) -> None:
        if action not in self.actions:
            raise ValueError(f"{type(self).__name__} knows no action {action!r} (it knows {', '.join(self.actions)})")

    def user_has_permission(self, user, action: str) -> bool:
        """May `user` do `action` to some row of the model (a role question, before any row is chosen)."""
        self._check_action(action)
        return bool(user is not None and user.is_authenticated)

    def instances_user_has_permission_for(self, user, action: str) -> QuerySet:
        """The rows `user` may do `action` to."""
        raise NotImplementedError

    def user_has_permission_for_instance(self, user, action: str, instance) -> bool:
        self._check_action(action)
        return self.instances_user_has_permission_for(user, action).filter(pk=instance.pk).exists()

    def get_for_user(self, user, pk, *, action: str = "view", select_related: tuple[str, ...] = ()):
        """The row `pk` if the user may do `action` to it, else 404 (never 403: another council's ids are
        not confirmed)."""
        rows = self.instances_user_has_permission_for(user, action)
        if select_related:
            rows = rows.select_related(*select_related)
        try:
            return rows.get(pk=pk)
        except self.model.DoesNotExist:
            raise Http404(f"No {self.model._meta.verbose_name} here.") from None

    def require(self, user, action: str, instance, message: str) -> None:
        """Raise PermissionDenied with `message` unless `user` may do `action` to `instance`."""
        if not self.user_has_permission_for_instance(user, action, instance):
            raise PermissionDenied(message)
