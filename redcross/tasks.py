"""Work the task worker does (``manage.py db_worker``; at once in tests).

The tasks are defined in ``redcross.services`` beside the services they run (which enqueue
them); they are named here too, for tasks queued under this module's path.
"""

from .services import export_run_task, import_job_task

__all__ = ["export_run_task", "import_job_task"]
