"""Top-level URLs: the web interface, the REST API under /api/v1/, and the admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("articles.api.urls")),
    path("", include("articles.urls")),
]

# JSON errors on /api/ paths (INPUT-1, INPUT-9); every other path gets Django's pages (templates/404.html ...).
handler400 = "articles.api.errors.bad_request"
handler403 = "articles.api.errors.permission_denied"
handler404 = "articles.api.errors.page_not_found"
handler500 = "articles.api.errors.server_error"
