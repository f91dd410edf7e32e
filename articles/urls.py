"""Web interface routes."""

from django.contrib.auth import views as auth_views
from django.urls import path

from articles.views import account, annotate, pages

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/token/", account.account_token, name="account_token"),
    path("", pages.project_list, name="project_list"),
    path("projects/<int:project_id>/", pages.project_detail, name="project_detail"),
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
]
