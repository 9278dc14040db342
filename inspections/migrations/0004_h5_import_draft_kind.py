from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0003_authority_data_revision"),
    ]

    operations = [
        migrations.AddField(
            model_name="importdraft",
            name="kind",
            field=models.CharField(
                choices=[("letter", "Ofsted letter or report"), ("action_plan", "Action plan spreadsheet")],
                default="letter",
                max_length=20,
            ),
        ),
    ]
