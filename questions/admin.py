from django.contrib import admin

from .models import KeyPoint, Question, SeedRef, Source, Topic


class KeyPointInline(admin.TabularInline):
    model = KeyPoint
    extra = 0
    ordering = ["position"]


class SeedRefInline(admin.TabularInline):
    model = SeedRef
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["prompt", "topic", "difficulty", "suggested_minutes", "updated_at"]
    list_filter = ["topic", "difficulty", "seed_refs__source"]
    search_fields = ["slug", "prompt", "answer", "key_points__text"]
    list_select_related = ["topic"]
    inlines = [KeyPointInline, SeedRefInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.refresh_key_points_text()


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    ordering = ["position"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "publisher", "year"]
