"""The bank in the admin: to look at, never to edit.

The TOML files in fixtures/ are the bank's only source, and `make run` reloads them at every
start, so an edit made here would be lost without a word. Every bank model is therefore
read-only in the admin, and each page says where to edit instead.
"""

from django.contrib import admin

from .models import KeyPoint, Question, SeedRef, Source, Topic

WHERE_TO_EDIT = (
    "Read-only: the bank is edited in fixtures/questions/<topic>.toml and fixtures/sources.toml, "
    "then loaded with `manage.py load_questions` (make run does it at every start)."
)


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "title": f"{self.model._meta.verbose_name_plural.capitalize()} ({WHERE_TO_EDIT})",
        }
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "subtitle": WHERE_TO_EDIT}
        return super().change_view(request, object_id, form_url, extra_context)


class KeyPointInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = KeyPoint
    extra = 0
    ordering = ["position"]
    fields = ["position", "text"]


class SeedRefInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SeedRef
    extra = 0


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["prompt", "topic", "difficulty", "suggested_minutes", "retired", "updated_at"]
    list_filter = ["topic", "difficulty", "retired", "seed_refs__source"]
    search_fields = ["slug", "prompt", "answer", "key_points__text"]
    list_select_related = ["topic"]
    ordering = ["topic__position", "position"]
    inlines = [KeyPointInline, SeedRefInline]


@admin.register(Topic)
class TopicAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    ordering = ["position"]


@admin.register(Source)
class SourceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "slug", "publisher", "year", "written_here"]
