from django.urls import path

from actions import views

app_name = "actions"

urlpatterns = [
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/", views.action_list, name="action_list"),
    path("actions/mine/", views.my_actions, name="my_actions"),
    path("actions/bulk/", views.bulk_change, name="bulk_change"),
    path("actions/import/", views.plan_import_upload, name="plan_import"),
    path("actions/import/<str:token>/columns/", views.plan_import_columns, name="plan_import_columns"),
    path("actions/import/<str:token>/check/", views.plan_import_check, name="plan_import_check"),
]
