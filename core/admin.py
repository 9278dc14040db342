"""What the admin sites of every app share."""

from __future__ import annotations


class ReadOnlyAdminMixin:
    """An admin page (or inline) that shows rows and never adds, changes or deletes them: rows whose
    writes go through a service elsewhere (history, memberships, the letter's judgements, the audit)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
