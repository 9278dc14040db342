from django.urls import path

from actions import views

app_name = "actions"

urlpatterns = [
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
]
