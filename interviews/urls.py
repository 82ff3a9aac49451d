from django.urls import path

from . import views

app_name = "interviews"

urlpatterns = [
    path("new/", views.new_interview, name="new"),
    path("practise/", views.practise_questions, name="practise_questions"),
    path("practise-due/", views.practise_due, name="practise_due"),
    path("preset/<slug:slug>/", views.start_preset, name="preset"),
    path("practise-topic/<slug:slug>/", views.practise_topic, name="practise_topic"),
    path("practise/<slug:slug>/", views.practise_question, name="practise"),
    path("<id:pk>/", views.take, name="take"),
    path("<id:pk>/answers/<id:answer_pk>/save/", views.autosave, name="autosave"),
    path("<id:pk>/answers/<id:answer_pk>/submit/", views.submit, name="submit"),
    path("<id:pk>/answers/<id:answer_pk>/skip/", views.skip, name="skip"),
    path("<id:pk>/next/", views.start_next, name="start_next"),
    path("<id:pk>/end/", views.end_interview, name="end"),
    path("<id:pk>/review/", views.review, name="review"),
    path("<id:pk>/review/<id:answer_pk>/reveal/", views.reveal, name="reveal"),
    path("<id:pk>/review/<id:answer_pk>/", views.record_review, name="record_review"),
    path("<id:pk>/retake/", views.retake, name="retake"),
]
