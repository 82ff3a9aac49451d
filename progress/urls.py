from django.urls import path

from . import views

app_name = "progress"

urlpatterns = [
    path("", views.home, name="home"),
    path("history/", views.history, name="history"),
    path("history/answers.csv", views.export_answers, name="export"),
    path("progress/", views.progress, name="progress"),
    path("progress/new-per-day/", views.new_per_day, name="new_per_day"),
]
