"""Fill Action.last_progress_at from the history: the latest ActionUpdate whose changes hold
"progress_notes" (a progress entry). One UPDATE with a correlated subquery; from here on
actions.services._record keeps it."""

from django.db import migrations
from django.db.models import Max, OuterRef, Subquery


def fill(apps, schema_editor):
    Action = apps.get_model("actions", "Action")
    ActionUpdate = apps.get_model("actions", "ActionUpdate")
    latest = (
        ActionUpdate.objects.filter(action_id=OuterRef("pk"), changes__has_key="progress_notes")
        .order_by()
        .values("action_id")
        .annotate(latest=Max("created_at"))
        .values("latest")[:1]
    )
    Action.objects.update(last_progress_at=Subquery(latest))


class Migration(migrations.Migration):
    dependencies = [("actions", "0005_h7stale_last_progress_at")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
