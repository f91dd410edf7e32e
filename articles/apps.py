from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "News annotation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Register the kinds of background job (they need the models, so not before the app is ready)."""
        from articles import job_runners  # noqa: F401
