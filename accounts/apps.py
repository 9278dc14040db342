from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and access"

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from accounts import signals  # noqa: F401  (connects the sign-in audit receivers)

        pre_save.connect(_clean_text_fields, dispatch_uid="core.text.strip_control_characters")


# The project's own apps: their text fields never keep control characters (core.text).
PROJECT_APPS = {"accounts", "inspections", "findings", "actions", "dashboards", "datasets"}


def _clean_text_fields(sender, instance, raw=False, **kwargs) -> None:
    if sender._meta.app_label in PROJECT_APPS or sender._meta.label == "auth.User":
        from core.text import strip_control_characters_from_fields

        strip_control_characters_from_fields(instance)
