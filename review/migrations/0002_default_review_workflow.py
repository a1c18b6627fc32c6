"""The default workflow: one review by the managing department's reviewers, assigned
to every asset type. Administrators change it in Settings → Workflows (a province may
add, say, approval by the contributing unit's leader before it)."""

from django.db import migrations

REVIEWERS = "Người duyệt"  # assets.operations.REVIEWERS, frozen here
WORKFLOW = "Duyệt tư liệu"
TASK = "Cơ quan quản lý duyệt"
ASSET_MODELS = ("photo", "video", "publication")


def create_default_workflow(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")
    ReviewTask = apps.get_model("review", "ReviewTask")

    reviewers, _created = Group.objects.get_or_create(name=REVIEWERS)
    task_type, _created = ContentType.objects.get_or_create(app_label="review", model="reviewtask")
    task = ReviewTask.objects.filter(name=TASK).first()
    if task is None:
        task = ReviewTask.objects.create(name=TASK, content_type=task_type, active=True)
        task.groups.add(reviewers)
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for model in ASSET_MODELS:
        content_type, _created = ContentType.objects.get_or_create(app_label="assets", model=model)
        WorkflowContentType.objects.get_or_create(
            content_type=content_type, defaults={"workflow": workflow}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0001_initial"),
        ("assets", "0002_seed_topics_and_licences"),
        ("wagtailcore", "0098_apitoken"),
    ]
    operations = [migrations.RunPython(create_default_workflow, migrations.RunPython.noop)]
