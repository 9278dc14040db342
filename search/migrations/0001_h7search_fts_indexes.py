"""GIN indexes on the full-text expressions of search/vectors.py, on PostgreSQL only (SQLite searches with
a plain match). Expression indexes: nothing is stored, no write path changes."""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

from search.vectors import INDEXES


def _indexes(apps):
    for app_label, model_name, name, vector in INDEXES:
        yield apps.get_model(app_label, model_name), GinIndex(vector(), name=name)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in _indexes(apps):
        schema_editor.add_index(model, index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in _indexes(apps):
        schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0004_h5_import_draft_kind"),
        ("findings", "0002_h3_framework_refs"),
        ("actions", "0004_h4_history_append_only"),
    ]

    operations = [migrations.RunPython(create, drop)]
