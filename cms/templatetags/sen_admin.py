"""Template helpers of Sen's overrides of Wagtail's admin templates."""

from django import template

from cms.admin_display import permission_label

register = template.Library()
register.filter("permission_label", permission_label)
