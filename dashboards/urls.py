from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("overview/", views.overview, name="overview"),
    path("authorities/<slug:slug>/dashboard/", views.dashboard, name="dashboard"),
    path("authorities/<slug:slug>/compare/", views.compare, name="compare"),
    path("authorities/<slug:slug>/board-report/", views.board_report, name="board_report"),
]
urlpatterns += [
    path("dashboard/", views.dashboard_home, name="home"),
    path("compare/", views.compare_home, name="compare_home"),
    path("national/", views.national, name="national"),
]
