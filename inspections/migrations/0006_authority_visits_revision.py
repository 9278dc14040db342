from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0005_h7national_published_outcomes"),
    ]

    operations = [
        migrations.AddField(
            model_name="localauthority",
            name="visits_revision",
            field=models.PositiveBigIntegerField(default=0, editable=False),
        ),
    ]
