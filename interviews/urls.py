from django.urls import path

from . import views

app_name = "interviews"

urlpatterns = [
    path("new/", views.new_interview, name="new"),
    path("practise/", views.practise_questions, name="practise_questions"),
    path("practise/<slug:slug>/", views.practise_question, name="practise"),
    path("<int:pk>/", views.take, name="take"),
    path("<int:pk>/answers/<int:answer_pk>/save/", views.autosave, name="autosave"),
    path("<int:pk>/answers/<int:answer_pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/answers/<int:answer_pk>/skip/", views.skip, name="skip"),
    path("<int:pk>/end/", views.end_interview, name="end"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/review/<int:answer_pk>/reveal/", views.reveal, name="reveal"),
    path("<int:pk>/review/<int:answer_pk>/", views.record_review, name="record_review"),
    path("<int:pk>/retake/", views.retake, name="retake"),
]
