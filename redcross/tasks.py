"""Work the task worker does (``manage.py db_worker``; at once in tests)."""

from django_tasks import task


@task()
def export_run_task(export_id):
    """Writes the Excel export ``export_id``."""
    from .models import Export
    from .services import export_run

    export_run(Export.objects.select_related("user").get(pk=export_id))


@task()
def import_job_task(batch_id, job, user_id):
    """Checks (``job`` "check") or imports (``job`` "import") the import batch ``batch_id``."""
    from .services import import_job_run

    import_job_run(batch_id, job=job, user_id=user_id)
