"""Admin screens for every model, with list columns, filters and search."""

from django.contrib import admin

from articles.models import Annotation, AnnotationEvent, Article, Assignment, Comment, Label, Membership, Project


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class LabelInline(admin.TabularInline):
    model = Label
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "visibility", "organisation", "created_at"]
    list_filter = ["visibility", "created_at"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline, LabelInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "role", "created_at"]
    list_filter = ["role", "project"]
    search_fields = ["user__username", "project__name"]
    list_select_related = ["user", "project"]


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "project", "color", "shortcut", "order"]
    list_filter = ["project"]
    search_fields = ["name", "key", "description"]
    list_select_related = ["project"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "outlet", "status", "language", "published_at", "created_at"]
    list_filter = ["project", "status", "language", "outlet"]
    search_fields = ["title", "byline", "outlet", "url", "external_id"]
    readonly_fields = ["text_sha256", "text_revision", "version", "created_at", "updated_at"]
    list_select_related = ["project"]
    date_hierarchy = "created_at"


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = ["id", "label", "short_quote", "article", "author", "start", "end", "status", "updated_at"]
    list_filter = ["status", "label__key", "is_flagged", "article__project"]
    search_fields = ["quote", "note", "author__username", "article__title"]
    readonly_fields = ["quote", "prefix", "suffix", "version", "created_at", "updated_at"]
    list_select_related = ["label", "article", "author"]
    raw_id_fields = ["article"]

    @admin.display(description="quote")
    def short_quote(self, annotation: Annotation) -> str:
        return annotation.quote[:60]


@admin.register(AnnotationEvent)
class AnnotationEventAdmin(admin.ModelAdmin):
    list_display = ["annotation_id", "action", "actor", "article", "created_at"]
    list_filter = ["action", "article__project"]
    search_fields = ["annotation_id", "actor__username"]
    list_select_related = ["actor", "article"]
    raw_id_fields = ["article"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["article", "annotator", "state", "submitted_at", "reviewed_at"]
    list_filter = ["state", "article__project"]
    search_fields = ["article__title", "annotator__username"]
    list_select_related = ["article", "annotator"]
    raw_id_fields = ["article"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["annotation", "author", "is_resolved", "created_at"]
    list_filter = ["is_resolved"]
    search_fields = ["body", "author__username"]
    raw_id_fields = ["annotation", "parent"]
