from django.db.models.signals import post_migrate


def ensure_roles(sender, **kwargs):
    """Role groups need the permissions that post_migrate creates, so they are made
    (or completed) after every migrate, test databases included."""
    if sender.label != "assets":
        return
    from .operations import ensure_role_groups

    ensure_role_groups()


def register_signal_handlers():
    post_migrate.connect(ensure_roles, dispatch_uid="sen-ensure-roles")
