from django.urls import path

from . import views

app_name = "progress"

urlpatterns = [
    path("history/", views.history, name="history"),
    path("history/answers.csv", views.export_answers, name="export"),
    path("progress/", views.progress, name="progress"),
]
