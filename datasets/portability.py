"""Export all data of one authority to JSON, and import such a file into an empty database.

Used by `manage.py export_authority SLUG --output FILE.json` and `manage.py import_authority FILE.json`:
moving one council to its own deployment, handing a council its data, or restoring one council without
restoring the whole database (docs/operations.md).

What the file holds: the authority; the themes its findings use; its inspections, judgements, findings
(with repeats), the people who own its actions (with or without an account), actions, every history row, evidence metadata and action-plan dates; its memberships and
the users in them with their roles. Primary keys are kept so links inside the file survive.

What it does not hold, on purpose: password hashes (an exported file travels by email and USB sticks;
imported users get an unusable password and set one through "forgotten password" or an admin), superuser
and per-user admin permissions, sign-in audit rows, and the evidence files' bytes (copy the storage
prefix `evidence/` with the file, e.g. `aws s3 sync` or `rsync`; the metadata names each stored file).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from accounts.models import Membership
from actions.models import Action, ActionPlan, ActionUpdate, Evidence, Owner
from findings.models import Finding, Theme
from inspections.models import Inspection, Judgement, LocalAuthority
from inspections.services import authority_data_changed

FORMAT = "inspection-findings-tracker/authority-export"
# 2: an action's owner is an owner record of the council (the "owners" section), not a user.
VERSION = 2
USER_FIELDS = ("username", "first_name", "last_name", "email", "is_active", "is_staff", "date_joined")

# Section name, model, lookup from the model to its authority. Loaded in this order.
SECTIONS = [
    ("authority", LocalAuthority, "id"),
    ("themes", Theme, None),
    ("memberships", Membership, "authority"),
    ("inspections", Inspection, "authority"),
    ("judgements", Judgement, "inspection__authority"),
    ("findings", Finding, "inspection__authority"),
    ("owners", Owner, "authority"),
    ("actions", Action, "finding__inspection__authority"),
    ("action_updates", ActionUpdate, "action__finding__inspection__authority"),
    ("evidence", Evidence, "action__finding__inspection__authority"),
    ("action_plans", ActionPlan, "inspection__authority"),
]


AUTHORITY_PATHS = {model: path for _, model, path in SECTIONS}


class PortabilityError(Exception):
    """The file cannot be imported here; the message says why."""


# Not data but a count of changes that keys cached pages; it starts again in the database imported into.
NOT_EXPORTED = frozenset({"data_revision", "visits_revision", "statuses_revision"})


def _rows(model, queryset) -> list[dict[str, Any]]:
    data = serializers.serialize("python", queryset.order_by("pk"), use_natural_foreign_keys=True)
    return [
        {"pk": row["pk"], **{k: v for k, v in row["fields"].items() if k not in NOT_EXPORTED}} for row in data
    ]


def authority_export(*, authority: LocalAuthority) -> dict[str, Any]:
    """All of one authority's data as plain JSON-ready data, in a stable order (so two exports compare)."""
    sections: dict[str, Any] = {}
    for name, model, path in SECTIONS:
        if model is Theme:
            queryset = Theme.objects.filter(findings__inspection__authority=authority).distinct()
        else:
            queryset = model.objects.filter(**{path: authority.pk})
        sections[name] = _rows(model, queryset)
    user_ids = set(Membership.objects.filter(authority=authority).values_list("user_id", flat=True))
    for model, fields in [(Owner, ["user"]), (ActionUpdate, ["author"]), (Evidence, ["uploaded_by"]),
                          (Inspection, ["imported_by"]), (ActionPlan, ["updated_by"])]:
        path = AUTHORITY_PATHS[model]
        for field in fields:
            user_ids |= set(
                model.objects.filter(**{path: authority.pk}, **{f"{field}__isnull": False}).values_list(field, flat=True)
            )
    users = get_user_model().objects.filter(pk__in=user_ids).prefetch_related("groups").order_by("username")
    sections["users"] = [
        {**{f: getattr(u, f) for f in USER_FIELDS}, "roles": sorted(g.name for g in u.groups.all())} for u in users
    ]
    return {"format": FORMAT, "version": VERSION, **sections}


def authority_export_json(*, authority: LocalAuthority) -> str:
    return json.dumps(authority_export(authority=authority), cls=DjangoJSONEncoder, indent=1, sort_keys=True,
                      ensure_ascii=False)


@transaction.atomic
def authority_import(*, data: dict[str, Any]) -> dict[str, int]:
    """Load an export into a database that does not hold this authority yet. All or nothing."""
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise PortabilityError("This is not an authority export of this tracker (or of a newer version).")
    (authority,) = data["authority"]
    if LocalAuthority.objects.filter(ofsted_urn=authority["ofsted_urn"]).exists():
        raise PortabilityError(f"{authority['name']} is already in this database; import into an empty one.")
    for name, model, _ in SECTIONS:
        if model is Theme:
            continue
        clash = model.objects.filter(pk__in=[row["pk"] for row in data[name]])
        if clash.exists():
            raise PortabilityError(f"This database already holds {model._meta.verbose_name_plural} with these ids.")
    User = get_user_model()
    for row in data["users"]:
        if User.objects.filter(username=row["username"]).exists():
            raise PortabilityError(f"The user {row['username']} already exists here.")
        user = User(**{f: row[f] for f in USER_FIELDS})
        user.set_unusable_password()
        user.save()
        user.groups.set([Group.objects.get_or_create(name=role)[0] for role in row["roles"]])
    counts = {"users": len(data["users"])}
    # Themes are shared by every council: reuse one of the same slug (and point findings at it), else
    # create it with the exported id.
    existing_themes = dict(Theme.objects.filter(slug__in=[t["slug"] for t in data["themes"]]).values_list("slug", "pk"))
    theme_ids = {row["pk"]: existing_themes.get(row["slug"], row["pk"]) for row in data["themes"]}
    for name, model, _ in SECTIONS:
        rows = data[name]
        if model is Theme:
            rows = [row for row in rows if row["slug"] not in existing_themes]
        if model is Finding:
            rows = [{**row, "theme": theme_ids.get(row["theme"], row["theme"])} for row in rows]
        payload = [
            {"model": model._meta.label_lower, "pk": row["pk"], "fields": {k: v for k, v in row.items() if k != "pk"}}
            for row in rows
        ]
        for item in serializers.deserialize("python", payload, handle_forward_references=True):
            item.save()
        counts[name] = len(rows)
    authority_data_changed(authority_ids=[authority["pk"]])
    models = [model for _, model, _ in SECTIONS]
    with connection.cursor() as cursor:  # explicit ids were inserted: move the id sequences past them
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
    return counts
