from django.db.models.signals import post_migrate


def ensure_roles(sender, **kwargs):
    """Role groups need the permissions that post_migrate creates, so they are made
    (or completed) after every migrate, test databases included. Django sends
    post_migrate once per app, in INSTALLED_APPS order, and creates each app's
    permissions in its turn: wait for the last app, or the groups would miss the
    permissions of the apps after `assets` (review, ingest) on a new database."""
    from django.apps import apps

    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender.label != last.label:
        return
    from .operations import ensure_role_groups

    ensure_role_groups()


def register_signal_handlers():
    post_migrate.connect(ensure_roles, dispatch_uid="sen-ensure-roles")
