from django.apps import AppConfig


class DatasetsConfig(AppConfig):
    """Demo data, generated national data and a council's export/import: the commands load_demo,
    generate_data, export_authority and import_authority. Top of the layers: it may import every app."""

    name = "datasets"
    verbose_name = "Data sets"
