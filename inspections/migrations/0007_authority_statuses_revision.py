from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0006_authority_visits_revision"),
    ]

    operations = [
        migrations.AddField(
            model_name="localauthority",
            name="statuses_revision",
            field=models.PositiveBigIntegerField(default=0, editable=False),
        ),
    ]
