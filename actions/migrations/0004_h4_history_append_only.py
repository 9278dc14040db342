"""Action history is append-only in PostgreSQL itself, not only in the model: a trigger refuses UPDATE
and DELETE of its rows, whoever connects (raw SQL, a database console, a bug in a bulk path).

Actions are never deleted (ActionUpdate.action is PROTECT), so no cascade ever needs to remove history.
TRUNCATE (the test runner's flush, a full restore) is a statement, not a row change: it still works.
SQLite: nothing to do (the model's save() and delete() refuse).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION actions_actionupdate_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'Action history is append-only: ' || TG_OP || ' of an update is refused',
        ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS actions_actionupdate_append_only ON actions_actionupdate;
CREATE TRIGGER actions_actionupdate_append_only
    BEFORE UPDATE OR DELETE ON actions_actionupdate
    FOR EACH ROW EXECUTE FUNCTION actions_actionupdate_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS actions_actionupdate_append_only ON actions_actionupdate;
DROP FUNCTION IF EXISTS actions_actionupdate_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("actions", "0003_actionupdate_position_index")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
