from django.urls import path

from inspections import views

app_name = "inspections"

urlpatterns = [
    path("authorities/", views.authority_list, name="authority_list"),
    path("authorities/<slug:slug>/", views.authority_detail, name="authority_detail"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
]
