"""h7owners: an action's owner becomes a person record of the council (actions.Owner), optionally linked
to a user. One record is made per (council, user) that owns an action today, named as core.people.person_label
names the user (full name, else username), with the user's email; then Action.owner points at it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def users_to_owner_records(apps, schema_editor):
    Action = apps.get_model("actions", "Action")
    Owner = apps.get_model("actions", "Owner")
    records = {}
    rows = Action.objects.filter(owner__isnull=False).values_list(
        "pk", "finding__inspection__authority_id", "owner_id", "owner__first_name", "owner__last_name",
        "owner__username", "owner__email",
    )
    for pk, authority_id, user_id, first, last, username, email in rows.iterator():
        key = (authority_id, user_id)
        if key not in records:
            name = f"{first or ''} {last or ''}".strip() or username
            records[key] = Owner.objects.create(authority_id=authority_id, user_id=user_id, name=name, email=email or "")
        Action.objects.filter(pk=pk).update(owner_record=records[key])


def owner_records_to_users(apps, schema_editor):
    Action = apps.get_model("actions", "Action")
    for pk, user_id in Action.objects.filter(owner_record__isnull=False).values_list("pk", "owner_record__user_id"):
        Action.objects.filter(pk=pk).update(owner_id=user_id)


class Migration(migrations.Migration):

    dependencies = [
        ("actions", "0006_h7stale_fill_last_progress_at"),
        ("inspections", "0004_h5_import_draft_kind"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Owner",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=150)),
                ("job_title", models.CharField(blank=True, max_length=150)),
                ("organisation", models.CharField(blank=True, max_length=150)),
                ("email", models.EmailField(blank=True, max_length=254)),
                ("authority", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="action_owners", to="inspections.localauthority")),
                ("user", models.ForeignKey(blank=True, help_text="The tracker account of this person, if they have one.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="owner_records", to=settings.AUTH_USER_MODEL)),
            ],
            options={"ordering": ["name", "id"]},
        ),
        migrations.AddConstraint(
            model_name="owner",
            constraint=models.UniqueConstraint(fields=("authority", "user"), name="owner_one_record_per_user"),
        ),
        migrations.AddConstraint(
            model_name="owner",
            constraint=models.CheckConstraint(condition=models.Q(("name", ""), _negated=True), name="owner_name_not_empty"),
        ),
        migrations.AddField(
            model_name="action",
            name="owner_record",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="actions", to="actions.owner"),
        ),
        migrations.RunPython(users_to_owner_records, owner_records_to_users),
        migrations.RemoveIndex(model_name="action", name="actions_act_owner_i_b4abe9_idx"),
        migrations.RemoveField(model_name="action", name="owner"),
        migrations.RenameField(model_name="action", old_name="owner_record", new_name="owner"),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(fields=["owner", "status"], name="actions_act_owner_i_b4abe9_idx"),
        ),
    ]
