from django.urls import path

from actions import views

app_name = "actions"

urlpatterns = [
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/update/", views.action_update, name="action_update"),
    path("actions/<int:pk>/details/", views.action_details, name="action_details"),
    path("authorities/<slug:slug>/owners/", views.owner_list, name="owner_list"),
    path("authorities/<slug:slug>/owners/new/", views.owner_add, name="owner_add"),
    path("authorities/<slug:slug>/owners/<int:pk>/", views.owner_edit, name="owner_edit"),
    path("actions/<int:pk>/verify/", views.action_verify, name="action_verify"),
    path("actions/<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence_download"),
    path("findings/<int:finding_pk>/actions/new/", views.action_add, name="action_add"),
    path("inspections/<int:pk>/action-plan/", views.plan_record, name="plan_record"),
    path("actions/", views.action_list, name="action_list"),
    path("actions/mine/", views.my_actions, name="my_actions"),
    path("actions/bulk/", views.bulk_change, name="bulk_change"),
    path("actions/import/", views.plan_import_upload, name="plan_import"),
    path("actions/import/<str:token>/columns/", views.plan_import_columns, name="plan_import_columns"),
    path("actions/import/<str:token>/check/", views.plan_import_check, name="plan_import_check"),
]
