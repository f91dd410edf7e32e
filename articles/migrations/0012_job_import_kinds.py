# Jobs that import: from web addresses, and large files (articles.imports.background).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_job_heartbeat"),
    ]

    operations = [
        migrations.AlterField(
            model_name="job",
            name="kind",
            field=models.CharField(
                choices=[
                    ("export", "Export file"),
                    ("url_import", "Import from the web"),
                    ("file_import", "Import of large files"),
                ],
                max_length=32,
            ),
        ),
    ]
