"""Web interface routes."""

from django.contrib.auth import views as auth_views
from django.urls import path

from articles.views import account, annotate, exchange, jobs, pages, projects, review
from articles.views import link_types as link_type_views
from articles.views import links as link_views
from articles.views import revisions as revision_views
from articles.views import suggesters as suggester_views
from articles.views import suggestions as suggestion_views
from articles.views import webhooks as webhook_views
from articles.views.labels import label_delete, label_move, label_update, project_labels

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/token/", account.account_token, name="account_token"),
    path("", pages.project_list, name="project_list"),
    path("projects/new/", projects.project_create, name="project_create"),
    path("projects/<int:project_id>/", pages.project_detail, name="project_detail"),
    path("projects/<int:project_id>/settings/", projects.project_edit, name="project_edit"),
    path("projects/<int:project_id>/delete/", projects.project_delete, name="project_delete"),
    path("projects/<int:project_id>/labels.css", pages.project_labels_css, name="project_labels_css"),
    path("projects/<int:project_id>/articles/new/", pages.article_create, name="article_create"),
    path("articles/<int:article_id>/", annotate.article_annotate, name="article_annotate"),
    path("articles/<int:article_id>/annotations/", annotate.annotation_create, name="annotation_create"),
    path(
        "articles/<int:article_id>/annotations/<int:annotation_id>/restore/",
        annotate.annotation_restore,
        name="annotation_restore",
    ),
    path("annotations/<int:annotation_id>/", annotate.annotation_detail, name="annotation_detail"),
    path("annotations/<int:annotation_id>/update/", annotate.annotation_update, name="annotation_update"),
    path("annotations/<int:annotation_id>/delete/", annotate.annotation_delete, name="annotation_delete"),
    path("annotations/<int:annotation_id>/flag/", annotate.annotation_flag, name="annotation_flag"),
    # Team review
    path("queue/", review.my_queue, name="my_queue"),
    path("projects/<int:project_id>/review/", review.review_queue, name="review_queue"),
    path("projects/<int:project_id>/assign/", review.project_assignments, name="project_assignments"),
    path("projects/<int:project_id>/members/", review.project_members, name="project_members"),
    path("projects/<int:project_id>/labels/", project_labels, name="project_labels"),
    path("projects/<int:project_id>/labels/<int:label_id>/", label_update, name="label_update"),
    path("projects/<int:project_id>/labels/<int:label_id>/move/", label_move, name="label_move"),
    path("projects/<int:project_id>/labels/<int:label_id>/delete/", label_delete, name="label_delete"),
    path("projects/<int:project_id>/agreement/", review.project_agreement_page, name="project_agreement_page"),
    path("projects/<int:project_id>/dashboard/", review.project_dashboard_page, name="project_dashboard_page"),
    path("assignments/<int:assignment_id>/review/", review.assignment_review, name="assignment_review"),
    path("assignments/<int:assignment_id>/transition/", review.assignment_transition, name="assignment_transition"),
    path("assignments/<int:assignment_id>/decide/", review.assignment_decide, name="assignment_decide"),
    path("assignments/<int:assignment_id>/correct/", review.assignment_correct, name="assignment_correct"),
    path("assignments/<int:assignment_id>/comment/", review.assignment_comment, name="assignment_comment"),
    path("articles/<int:article_id>/adjudicate/", review.article_adjudicate, name="article_adjudicate"),
    # Export and import
    path("projects/<int:project_id>/export/", exchange.project_export_download, name="project_export_download"),
    path("articles/<int:article_id>/export/", exchange.article_export_download, name="article_export_download"),
    path("projects/<int:project_id>/import/", exchange.project_import, name="project_import"),
    path("projects/<int:project_id>/import/commit/", exchange.project_import_commit, name="project_import_commit"),
    # Background jobs
    path("projects/<int:project_id>/export/job/", jobs.project_export_job, name="project_export_job"),
    path("jobs/<int:job_id>/", jobs.job_detail, name="job_detail"),
    path("jobs/<int:job_id>/cancel/", jobs.job_cancel, name="job_cancel"),
    path("jobs/<int:job_id>/result/", jobs.job_result, name="job_result"),
]

# Webhooks (project settings, owners)
urlpatterns += [
    path("projects/<int:project_id>/webhooks/", webhook_views.project_webhooks, name="project_webhooks"),
    path("projects/<int:project_id>/webhooks/<int:webhook_id>/", webhook_views.webhook_update, name="webhook_update"),
    path(
        "projects/<int:project_id>/webhooks/<int:webhook_id>/secret/",
        webhook_views.webhook_rotate,
        name="webhook_rotate",
    ),
    path(
        "projects/<int:project_id>/webhooks/<int:webhook_id>/delete/",
        webhook_views.webhook_delete,
        name="webhook_delete",
    ),
    path(
        "projects/<int:project_id>/webhooks/<int:webhook_id>/deliveries/",
        webhook_views.webhook_deliveries,
        name="webhook_deliveries",
    ),
    path(
        "projects/<int:project_id>/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/replay/",
        webhook_views.webhook_replay,
        name="webhook_replay",
    ),
]

# Living articles: revisions, their diff, a corrected text or a re-fetch, and the orphan queue
urlpatterns += [
    path("articles/<int:article_id>/revisions/", revision_views.article_revisions, name="article_revisions"),
    path("articles/<int:article_id>/revisions/add/", revision_views.article_revision_add, name="article_revision_add"),
    path("articles/<int:article_id>/revisions/refetch/", revision_views.article_refetch, name="article_refetch"),
    path("articles/<int:article_id>/orphans/", revision_views.article_orphans, name="article_orphans"),
    path(
        "articles/<int:article_id>/orphans/<int:annotation_id>/reattach/",
        revision_views.orphan_reattach,
        name="orphan_reattach",
    ),
    path(
        "articles/<int:article_id>/orphans/<int:annotation_id>/delete/",
        revision_views.orphan_delete,
        name="orphan_delete",
    ),
]

# Links between spans, made and removed on the annotate page
urlpatterns += [
    path("articles/<int:article_id>/links/", link_views.link_create, name="link_create"),
    path("annotations/<int:annotation_id>/links/new/", link_views.link_choices, name="link_choices"),
    path("links/<int:link_id>/delete/", link_views.link_delete, name="link_delete"),
]

# Link types of a project: members read them; owners change them from the Labels tab
urlpatterns += [
    path("projects/<int:project_id>/link-types/", link_type_views.project_link_types, name="project_link_types"),
    path("projects/<int:project_id>/link-types/add/", link_type_views.link_type_create, name="link_type_create"),
    path(
        "projects/<int:project_id>/link-types/<int:link_type_id>/",
        link_type_views.link_type_update,
        name="link_type_update",
    ),
    path(
        "projects/<int:project_id>/link-types/<int:link_type_id>/delete/",
        link_type_views.link_type_delete,
        name="link_type_delete",
    ),
]

# Reviewers accept or reject links in the annotate page
urlpatterns += [
    path("links/<int:link_id>/review/", link_views.link_review, name="link_review"),
]

# Suggestions on the annotate page: accept (edited first), reject, accept every quote, run the suggesters
urlpatterns += [
    path("articles/<int:article_id>/suggestions/accept/", suggestion_views.suggestion_accept, name="suggestion_accept"),
    path("articles/<int:article_id>/suggestions/reject/", suggestion_views.suggestion_reject, name="suggestion_reject"),
    path(
        "articles/<int:article_id>/suggestions/accept-all/",
        suggestion_views.suggestions_accept_all,
        name="suggestions_accept_all",
    ),
    path("articles/<int:article_id>/suggestions/run/", suggestion_views.suggestions_run, name="suggestions_run"),
    path(
        "articles/<int:article_id>/suggestions/run/<int:job_id>/",
        suggestion_views.suggestions_run_status,
        name="suggestions_run_status",
    ),
]

# The project's suggesters, in its settings (owners)
urlpatterns += [
    path("projects/<int:project_id>/suggesters/", suggester_views.suggester_add, name="suggester_add"),
    path(
        "projects/<int:project_id>/suggesters/<int:suggester_id>/",
        suggester_views.suggester_update,
        name="suggester_update",
    ),
    path(
        "projects/<int:project_id>/suggesters/<int:suggester_id>/delete/",
        suggester_views.suggester_delete,
        name="suggester_delete",
    ),
]
