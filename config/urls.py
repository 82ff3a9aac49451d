from django.contrib import admin
from django.urls import include, path, register_converter

from .converters import RowIdConverter

register_converter(RowIdConverter, "id")

urlpatterns = [
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("questions/", include("questions.urls")),
    path("interviews/", include("interviews.urls")),
    path("", include("progress.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "core.views.page_not_found"
