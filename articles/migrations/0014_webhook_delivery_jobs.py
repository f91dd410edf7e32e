# Every webhook delivery is a job (kind webhook_delivery, started by nobody) and can be cancelled
# (articles.webhooks). Deliveries already logged get their job here, so the log and the jobs API agree.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

JOB_STATUS = {"pending": "queued", "sending": "running", "succeeded": "succeeded", "failed": "failed"}
BATCH = 500


def check_now(schema_editor) -> None:
    """PostgreSQL checks foreign keys at commit; the schema changes around these rows cannot wait for that."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def give_deliveries_jobs(apps, schema_editor):
    """One job per delivery already in a log, saying what the delivery says (keys "delivery-<id>": unique)."""
    Job = apps.get_model("articles", "Job")
    WebhookDelivery = apps.get_model("articles", "WebhookDelivery")
    waiting = WebhookDelivery.objects.filter(job__isnull=True).select_related("webhook").order_by("pk")
    while batch := list(waiting[:BATCH]):
        jobs = []
        for delivery in batch:
            status = JOB_STATUS.get(delivery.status, "failed")
            tried = delivery.last_attempt_at if delivery.attempts else None
            jobs.append(
                Job(
                    project_id=delivery.webhook.project_id,
                    kind="webhook_delivery",
                    status=status,
                    done=1 if status == "succeeded" else 0,
                    total=1,
                    error=delivery.error,
                    params={"webhook": delivery.webhook_id, "event": delivery.event},
                    attempts=delivery.attempts,
                    idempotency_key=f"delivery-{delivery.pk}",
                    started_at=tried,
                    finished_at=(tried or delivery.created_at) if status in ("succeeded", "failed") else None,
                )
            )
        Job.objects.bulk_create(jobs)
        made = dict(
            Job.objects.filter(
                kind="webhook_delivery", idempotency_key__in=[job.idempotency_key for job in jobs]
            ).values_list("idempotency_key", "pk")
        )
        for delivery, job in zip(batch, jobs, strict=True):
            job.pk, job.created_at = made[job.idempotency_key], delivery.created_at
            delivery.job_id = job.pk
        Job.objects.bulk_update(jobs, ["created_at"])  # when the delivery was made, not now
        WebhookDelivery.objects.bulk_update(batch, ["job"])
    check_now(schema_editor)


def drop_delivery_jobs(apps, schema_editor):
    """Back to deliveries without jobs: their jobs go (the only jobs without a starter), a cancel reads as failed."""
    apps.get_model("articles", "WebhookDelivery").objects.filter(status="cancelled").update(status="failed")
    apps.get_model("articles", "WebhookDelivery").objects.update(job=None)
    apps.get_model("articles", "Job").objects.filter(kind="webhook_delivery").delete()
    check_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_article_search_ready"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="job",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                help_text="The member who started it; empty for a job the server started (a webhook delivery).",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="jobs",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="job",
            name="kind",
            field=models.CharField(
                choices=[
                    ("export", "Export file"),
                    ("url_import", "Import from the web"),
                    ("file_import", "Import of large files"),
                    ("webhook_delivery", "Webhook delivery"),
                ],
                max_length=32,
            ),
        ),
        migrations.RemoveConstraint(model_name="webhookdelivery", name="delivery_status_valid"),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Waiting"),
                    ("sending", "Sending"),
                    ("succeeded", "Delivered"),
                    ("failed", "Failed"),
                    ("cancelled", "Cancelled"),
                ],
                default="pending",
                max_length=16,
            ),
        ),
        migrations.AddConstraint(
            model_name="webhookdelivery",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["pending", "sending", "succeeded", "failed", "cancelled"])),
                name="delivery_status_valid",
            ),
        ),
        migrations.AddField(
            model_name="webhookdelivery",
            name="job",
            field=models.OneToOneField(
                blank=True,
                help_text="The delivery as a job of the jobs API; deleted with it (trimming, deleting the hook).",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="webhook_delivery",
                to="articles.job",
            ),
        ),
        migrations.RunPython(give_deliveries_jobs, drop_delivery_jobs),
    ]
