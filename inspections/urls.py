from django.urls import path

from inspections import views

app_name = "inspections"

urlpatterns = [
    path("authorities/", views.authority_list, name="authority_list"),
    path("authorities/<slug:slug>/", views.authority_detail, name="authority_detail"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/source/", views.inspection_source, name="inspection_source"),
    path("import/", views.import_start, name="import_start"),
    path("import/<str:token>/", views.import_preview, name="import_preview"),
    path("import/<str:token>/cancel/", views.import_cancel, name="import_cancel"),
]
