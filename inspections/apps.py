from django.apps import AppConfig


def _people_changed(sender, *, user_ids, **kwargs) -> None:
    from inspections.services import authority_data_changed

    authority_data_changed(user_ids=user_ids)


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = "Inspections"

    def ready(self) -> None:
        from accounts.services import people_changed

        people_changed.connect(_people_changed, dispatch_uid="inspections-people-changed")
