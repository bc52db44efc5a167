"""Rejected phone numbers were kept in the clear in ImportReject.value: redact them
(first 3 and last 2 characters kept, as ingest.pipeline.redact does for new rejects)."""

from django.db import migrations

PHONE_REASON = "expected an 11-digit mobile number"


def _redact(value: str) -> str:
    if len(value) <= 5:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 5) + value[-2:]


def redact_phone_rejects(apps, schema_editor):
    ImportReject = apps.get_model("ingest", "ImportReject")
    for reject in ImportReject.objects.filter(reason__startswith=PHONE_REASON).iterator():
        redacted = _redact(reject.value)
        if redacted != reject.value:
            ImportReject.objects.filter(pk=reject.pk).update(value=redacted)


class Migration(migrations.Migration):
    dependencies = [("ingest", "0003_import_job_progress_saved_profiles")]
    operations = [migrations.RunPython(redact_phone_rejects, migrations.RunPython.noop)]
