# Living articles: revisions, anchor status of annotations, watches (articles.revisions).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0014_webhook_delivery_jobs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ArticleRevision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveIntegerField()),
                ("text", models.TextField()),
                ("text_sha256", models.CharField(max_length=64)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("manual", "Entered by a person"),
                            ("import", "Import"),
                            ("fetch", "Fetched from the article's URL"),
                        ],
                        default="manual",
                        max_length=10,
                    ),
                ),
                ("note", models.TextField(blank=True, max_length=2000)),
                ("fetched_url", models.URLField(blank=True, max_length=2000)),
                ("extractor_version", models.CharField(blank=True, max_length=60)),
                (
                    "anchoring",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text="How many annotations landed exact, shifted, fuzzy or orphaned.",
                    ),
                ),
            ],
            options={
                "ordering": ["article", "-number"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="annotationevent",
            name="annotation_event_action_valid",
        ),
        migrations.AddField(
            model_name="annotation",
            name="anchor_score",
            field=models.FloatField(blank=True, help_text="0..1 for a fuzzy anchor, else empty.", null=True),
        ),
        migrations.AddField(
            model_name="annotation",
            name="anchor_status",
            field=models.CharField(
                choices=[("exact", "Exact"), ("shifted", "Shifted"), ("fuzzy", "Changed"), ("orphaned", "Orphaned")],
                default="exact",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="annotation",
            name="anchored_revision",
            field=models.PositiveIntegerField(default=1, help_text="The article revision it is anchored to."),
        ),
        migrations.AddField(
            model_name="annotation",
            name="original_quote",
            field=models.TextField(
                default="", help_text="The quote as first annotated (a revision may change `quote`)."
            ),
            preserve_default=False,
        ),
        # Every stored annotation was made on the text it points into: its first quote is its quote.
        migrations.RunSQL("UPDATE articles_annotation SET original_quote = quote", migrations.RunSQL.noop),
        migrations.AddField(
            model_name="article",
            name="watch_checked_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When the watch last re-fetched its URL (articles.watches).",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="project",
            name="revisions_from_imports",
            field=models.BooleanField(
                default=True,
                help_text="An import matching an article by external id or URL, with other text, adds a revision.",
            ),
        ),
        migrations.AddField(
            model_name="project",
            name="watch_daily_days",
            field=models.PositiveSmallIntegerField(
                default=30, help_text="Then once a day until this many days after publication (0 and 0: no watching)."
            ),
        ),
        migrations.AddField(
            model_name="project",
            name="watch_hourly_days",
            field=models.PositiveSmallIntegerField(
                default=2, help_text="Re-fetch articles with a URL every hour for this many days after publication."
            ),
        ),
        migrations.AlterField(
            model_name="annotation",
            name="end",
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.AlterField(
            model_name="annotation",
            name="start",
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.AlterField(
            model_name="annotationevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("created", "Created"),
                    ("updated", "Updated"),
                    ("deleted", "Deleted"),
                    ("restored", "Restored"),
                    ("reviewed", "Reviewed"),
                    ("reanchored", "Re-anchored"),
                ],
                max_length=10,
            ),
        ),
        migrations.AddConstraint(
            model_name="annotation",
            constraint=models.CheckConstraint(
                condition=models.Q(("anchor_status__in", ["exact", "shifted", "fuzzy", "orphaned"])),
                name="annotation_anchor_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="annotation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("anchor_status", "orphaned"), ("end__isnull", True), ("start__isnull", True)),
                    models.Q(
                        models.Q(("anchor_status", "orphaned"), _negated=True),
                        ("end__isnull", False),
                        ("start__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="annotation_orphans_have_no_offsets",
            ),
        ),
        migrations.AddConstraint(
            model_name="annotation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("anchor_score__isnull", True),
                    models.Q(("anchor_score__gte", 0), ("anchor_score__lte", 1)),
                    _connector="OR",
                ),
                name="annotation_anchor_score_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="annotationevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("action__in", ["created", "updated", "deleted", "restored", "reviewed", "reanchored"])
                ),
                name="annotation_event_action_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="project",
            constraint=models.CheckConstraint(
                condition=models.Q(("watch_daily_days__lte", 3650), ("watch_hourly_days__lte", 365)),
                name="project_watch_days_bounded",
            ),
        ),
        migrations.AddField(
            model_name="articlerevision",
            name="article",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="revisions", to="articles.article"
            ),
        ),
        migrations.AddField(
            model_name="articlerevision",
            name="created_by",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddConstraint(
            model_name="articlerevision",
            constraint=models.UniqueConstraint(fields=("article", "number"), name="revision_unique_number"),
        ),
        migrations.AddConstraint(
            model_name="articlerevision",
            constraint=models.CheckConstraint(condition=models.Q(("number__gte", 1)), name="revision_number_positive"),
        ),
        migrations.AddConstraint(
            model_name="articlerevision",
            constraint=models.CheckConstraint(
                condition=models.Q(("source__in", ["manual", "import", "fetch"])), name="revision_source_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="articlerevision",
            constraint=models.CheckConstraint(
                condition=models.Q(("text", ""), _negated=True), name="revision_text_not_empty"
            ),
        ),
    ]
