from wagtail.snippets.views.snippets import CreateView


class MediaKitCreateView(CreateView):
    """Records who made the kit."""

    def save_instance(self):
        self.form.instance.created_by = self.request.user
        return super().save_instance()
