from django.db import migrations, models

# Frozen here: the migration must not change when the app's mapping does.
OFSTED_REGION_FOR = {
    "North East": "North East, Yorkshire and the Humber",
    "Yorkshire and the Humber": "North East, Yorkshire and the Humber",
}


def fill_ofsted_regions(apps, schema_editor):
    LocalAuthority = apps.get_model("inspections", "LocalAuthority")
    for authority in LocalAuthority.objects.exclude(region="").only("pk", "region"):
        LocalAuthority.objects.filter(pk=authority.pk).update(
            ofsted_region=OFSTED_REGION_FOR.get(authority.region, authority.region)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0004_h5_import_draft_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="localauthority",
            name="ofsted_region",
            field=models.CharField(blank=True, max_length=60, verbose_name="Ofsted region"),
        ),
        migrations.AddField(
            model_name="inspection",
            name="source",
            field=models.CharField(blank=True, max_length=120, verbose_name="source"),
        ),
        migrations.AddField(
            model_name="judgement",
            name="source",
            field=models.CharField(blank=True, max_length=120, verbose_name="source"),
        ),
        migrations.RunPython(fill_ofsted_regions, migrations.RunPython.noop),
    ]
