"""Background tasks (django-tasks: the database backend and `manage.py db_worker` by
default, the same code with any other backend). Each task is a thin shell around
operations.run_job, which keeps the job's row up to date."""

from django_tasks import task

from . import operations


@task()
def run_job(job_id):
    return operations.run_job(job_id)
