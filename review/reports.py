"""Reports → Review record: every submission, decision and withdrawal with what was
recorded with it, for administrators and auditors (issue 4, item 5), exportable to
CSV and XLSX.

Wagtail's site history says who did what and when, but not the contributor's
attestations, the reviewer's checklist and comment or a withdrawal's reason: those
are Sen's own records (review.models), one model each. The listing is their union,
built like Wagtail's own site history (LogEntriesView): each model's rows are
filtered on their own, reduced to (pk, created_at, kind) and joined with UNION ALL,
so the database orders and pages them; only the rows of the page (or of the export,
in batches) are then read in full, one query per record model and per asset type,
whatever the number of rows.
"""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, CharField, F, IntegerField, Q, Value, When
from django.db.models.functions import Cast
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, MultipleUserFilter, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.utils import get_user_display_name
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies import ModelPermissionPolicy

from assets.models import Organisation, OrganisationFormerName

from .forms import ApprovalChecklistForm
from .models import ReviewDecision, SubmissionAttestation, Withdrawal
from .queue import asset_models_by_content_type

EXPORT_BATCH = 500

SUBMITTED = "submitted"
APPROVED = "approved"
CHANGES_REQUESTED = "changes_requested"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
EVENT_CHOICES = [
    (SUBMITTED, _("Submitted for review")),
    (APPROVED, _("Approved")),
    (CHANGES_REQUESTED, _("Changes requested")),
    (REJECTED, _("Rejected")),
    (WITHDRAWN, _("Withdrawn")),
]
# ReviewDecision.action is the workflow action's name (ReviewTask.get_actions):
# Wagtail's "reject" is Sen's request for changes, "decline" the rejection for good.
DECISION_EVENTS = {"approve": APPROVED, "reject": CHANGES_REQUESTED, "decline": REJECTED}

# The union's rows say which model they come from by index.
ATTESTATION, DECISION, WITHDRAWAL = 0, 1, 2


def record_querysets():
    """One queryset per record model, each annotated with the same names (`event`,
    `asset_type_id`, `asset_id`) so that one filter set applies to all three."""
    decision_event = Case(
        *(When(action=action, then=Value(event)) for action, event in DECISION_EVENTS.items()),
        default=F("action"),
        output_field=CharField(),
    )
    # Every record names its asset itself (review.models.Record): the asset, its
    # revisions and workflow states may since have been deleted.
    named = {"asset_type_id": F("content_type_id"), "asset_id": F("object_id")}
    return {
        ATTESTATION: SubmissionAttestation.objects.annotate(
            event=Value(SUBMITTED, output_field=CharField()), **named
        ),
        DECISION: ReviewDecision.objects.annotate(event=decision_event, **named),
        WITHDRAWAL: Withdrawal.objects.annotate(
            event=Value(WITHDRAWN, output_field=CharField()), **named
        ),
    }


def recorded_users(request=None):
    """Those who appear in the record, for the user filter (one query)."""
    User = get_user_model()
    condition = Q()
    for model in (SubmissionAttestation, ReviewDecision, Withdrawal):
        condition |= Q(pk__in=model.objects.order_by().values("user_id"))
    return User.objects.filter(condition).order_by(User.USERNAME_FIELD)


class ReviewRecordFilterSet(WagtailFilterSet):
    """Applied to each record model's queryset before the union (see the module
    docstring), so every filter works on the names all three carry."""

    created_at = django_filters.DateFromToRangeFilter(label=_("Date"), widget=DateRangePickerWidget)
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"),
        queryset=Organisation.objects.all(),
        method="filter_organisation",
    )
    event = django_filters.MultipleChoiceFilter(
        label=_("Event"),
        choices=EVENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    user = MultipleUserFilter(
        label=capfirst(SubmissionAttestation._meta.get_field("user").verbose_name),
        queryset=recorded_users,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )

    class Meta:
        model = SubmissionAttestation
        fields = []

    def filter_organisation(self, queryset, name, value):
        """The asset's organisation now: a merger moves assets, and their record
        with them."""
        if not value:
            return queryset
        condition = Q(pk__in=[])
        for content_type_id, model in asset_models_by_content_type().items():
            ids = (
                model._default_manager.filter(organisation=value)
                .annotate(object_id=Cast("pk", CharField()))
                .values("object_id")
            )
            condition |= Q(asset_type_id=content_type_id, asset_id__in=ids)
        return queryset.filter(condition)


class RecordEntry:
    """One row of the record, whichever model it comes from."""

    def __init__(self, kind, record, *, asset, content_type, object_id, revision):
        self.pk = f"{kind}-{record.pk}"
        self.created_at = record.created_at
        self.user_name = get_user_display_name(record.user) if record.user_id else ""
        model = content_type.model_class() if content_type else None
        self.asset_type = capfirst(model._meta.verbose_name) if model else ""
        self.asset_id = int(object_id) if str(object_id).isdigit() else object_id
        # The title as it was when recorded (kept by the record itself, so that it
        # survives the asset's deletion); older rows fall back to the asset's.
        self.asset_title = (
            record.object_title
            or (revision.object_str if revision else "")
            or (str(asset) if asset else "")
        )
        self.asset_deleted = asset is None
        self.organisation = ""
        self.revision_id = revision.pk if revision else None
        self.comment = ""
        self.no_state_secret = self.rights_correct = None
        self.checklist = []
        if kind == ATTESTATION:
            self.event = SUBMITTED
            self.no_state_secret = record.no_state_secret
            self.rights_correct = record.rights_correct
        elif kind == DECISION:
            self.event = DECISION_EVENTS.get(record.action, record.action)
            self.comment = record.comment
            fields = ApprovalChecklistForm.base_fields
            self.checklist = [
                str(fields[name].label) if name in fields else name
                for name, ticked in record.checklist.items()
                if ticked
            ]
        else:
            self.event = WITHDRAWN
            self.comment = record.reason
        self.event_label = dict(EVENT_CHOICES).get(self.event, self.event)

    @property
    def checklist_text(self):
        # Not Wagtail's ", " for lists: the labels have commas of their own.
        return "; ".join(self.checklist)


def organisation_name_on(organisation, day, former_names):
    """Organisation.name_on() without a query: `former_names` are its former names
    ordered by `valid_until`."""
    for former in former_names:
        if former.valid_until > day:
            return former.name
    return organisation.name


def describe(entries):
    """RecordEntry objects for the union's rows (dicts with pk, created_at, kind), in
    their order: one query per record model, one per asset type present and one for
    the organisations' former names."""
    entries = list(entries)
    wanted = {ATTESTATION: [], DECISION: [], WITHDRAWAL: []}
    for entry in entries:
        wanted[entry["kind"]].append(entry["pk"])
    records = {}
    if wanted[ATTESTATION]:
        for record in (
            SubmissionAttestation.objects.filter(pk__in=wanted[ATTESTATION])
            .select_related("user", "revision")
            .defer("revision__content")
        ):
            records[ATTESTATION, record.pk] = (record, record.revision)
    if wanted[DECISION]:
        for record in (
            ReviewDecision.objects.filter(pk__in=wanted[DECISION])
            .select_related("user", "revision", "task_state__revision")
            .defer("revision__content", "task_state__revision__content")
        ):
            task_revision = record.task_state.revision if record.task_state_id else None
            records[DECISION, record.pk] = (record, record.revision or task_revision)
    if wanted[WITHDRAWAL]:
        for record in Withdrawal.objects.filter(pk__in=wanted[WITHDRAWAL]).select_related("user"):
            records[WITHDRAWAL, record.pk] = (record, None)

    def asset_ref(record, revision):
        if record.object_id or revision is None:
            return record.content_type_id, record.object_id
        return revision.base_content_type_id, revision.object_id

    asset_models = asset_models_by_content_type()
    object_ids = {}
    for record, revision in records.values():
        content_type_id, object_id = asset_ref(record, revision)
        object_ids.setdefault(content_type_id, set()).add(object_id)
    assets = {}
    for content_type_id, ids in object_ids.items():
        model = asset_models.get(content_type_id)
        if model is None:
            continue
        for asset in model._default_manager.filter(pk__in=ids).select_related("organisation"):
            assets[content_type_id, str(asset.pk)] = asset
    former_names = {}
    for former in OrganisationFormerName.objects.filter(
        organisation_id__in={asset.organisation_id for asset in assets.values()}
    ).order_by("valid_until"):
        former_names.setdefault(former.organisation_id, []).append(former)

    rows = []
    for entry in entries:
        found = records.get((entry["kind"], entry["pk"]))
        if found is None:  # deleted between the two queries
            continue
        record, revision = found
        content_type_id, object_id = asset_ref(record, revision)
        asset = assets.get((content_type_id, str(object_id)))
        row = RecordEntry(
            entry["kind"],
            record,
            asset=asset,
            content_type=(
                ContentType.objects.get_for_id(content_type_id) if content_type_id else None
            ),
            object_id=object_id,
            revision=revision,
        )
        if asset is not None:
            # The name the organisation carried on the day, as published assets cite it.
            row.organisation = organisation_name_on(
                asset.organisation,
                timezone.localdate(record.created_at),
                former_names.get(asset.organisation_id, ()),
            )
        rows.append(row)
    return rows


def yes_no(value):
    if value is None:
        return ""
    return str(_("Yes") if value else _("No"))


class WhenColumn(Column):
    cell_template_name = "review/record/when_cell.html"


class ChecklistColumn(Column):
    cell_template_name = "review/record/checklist_cell.html"


class ReviewRecordView(ReportView):
    page_title = _("Review record")
    header_icon = "history"
    index_url_name = "review_record"
    index_results_url_name = "review_record_results"
    filterset_class = ReviewRecordFilterSet
    permission_policy = ModelPermissionPolicy(ReviewDecision)
    permission_required = "view"

    # Named as list_export reads them, so that the export has the table's headings.
    columns = [
        WhenColumn("created_at", label=_("When")),
        Column("user_name", label=capfirst(ReviewDecision._meta.get_field("user").verbose_name)),
        Column("event_label", label=_("Event")),
        Column("asset_type", label=_("Type")),
        Column("asset_id", label=_("Asset ID")),
        Column("asset_title", label=_("Title")),
        Column("organisation", label=_("Organisation")),
        Column(
            "revision_id",
            label=capfirst(ReviewDecision._meta.get_field("revision").verbose_name),
        ),
        Column("comment", label=_("Comment or reason")),
        Column(
            "no_state_secret",
            label=capfirst(SubmissionAttestation._meta.get_field("no_state_secret").verbose_name),
            accessor=lambda row: yes_no(row.no_state_secret),
        ),
        Column(
            "rights_correct",
            label=capfirst(SubmissionAttestation._meta.get_field("rights_correct").verbose_name),
            accessor=lambda row: yes_no(row.rights_correct),
        ),
        ChecklistColumn(
            "checklist_text",
            label=capfirst(ReviewDecision._meta.get_field("checklist").verbose_name),
        ),
    ]
    list_export = [column.name for column in columns]

    @property
    def export_headings(self):
        return {column.name: column.label for column in self.columns}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        when = {
            # Local time, as the admin shows it (Wagtail's default writes UTC).
            self.FORMAT_CSV: lambda value: timezone.localtime(value).isoformat(timespec="seconds"),
            self.FORMAT_XLSX: lambda value: timezone.make_naive(value),
        }
        attestation = {self.FORMAT_CSV: yes_no, self.FORMAT_XLSX: yes_no}
        self.custom_field_preprocess = {
            **self.custom_field_preprocess,
            "created_at": when,
            "no_state_secret": attestation,
            "rights_correct": attestation,
        }

    def get_filename(self):
        return f"review-record-{timezone.localdate():%Y-%m-%d}"

    def get_filtered_queryset(self):
        """The union of the three record models, newest first (see the module
        docstring); rows are dicts with pk, created_at and kind."""
        union = None
        for kind, queryset in record_querysets().items():
            queryset = self.filter_queryset(queryset)
            queryset = (
                queryset.order_by()
                .values("pk", "created_at")
                .annotate(kind=Value(kind, output_field=IntegerField()))
            )
            union = queryset if union is None else union.union(queryset, all=True)
        return union.order_by("-created_at", "-kind", "-pk")

    def paginate_queryset(self, queryset, page_size):
        # Described here rather than in decorate_paginated_queryset(): the table is
        # built from the page before that hook runs.
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = describe(object_list)
        return paginator, page, page.object_list, is_paginated

    def get(self, request, *args, **kwargs):
        if self.is_export:
            rows = self.export_rows(self.get_filtered_queryset())
            return self.as_spreadsheet(rows, request.GET.get("export"))
        return super().get(request, *args, **kwargs)

    def stream_csv(self, queryset):
        # The CSV is written while the response streams, after the admin's language
        # and time zone (AdminInVietnameseMiddleware, the user's account settings)
        # have been let go: keep the request's.
        language, zone = translation.get_language(), timezone.get_current_timezone()
        with translation.override(language), timezone.override(zone):
            yield from super().stream_csv(queryset)

    def export_rows(self, union):
        entries = list(union)
        for start in range(0, len(entries), EXPORT_BATCH):
            yield from describe(entries[start : start + EXPORT_BATCH])


# --- Registration (review/wagtail_hooks.py) -------------------------------------------


class ReviewRecordMenuItem(MenuItem):
    def is_shown(self, request):
        return ReviewRecordView.permission_policy.user_has_permission(request.user, "view")


def menu_item():
    return ReviewRecordMenuItem(
        _("Review record"),
        reverse("review_record"),
        name="review-record",
        icon_name="history",
        order=1010,  # after Wagtail's site history (1000)
    )


def urlpatterns():
    return [
        path("reports/review-record/", ReviewRecordView.as_view(), name="review_record"),
        path(
            "reports/review-record/results/",
            ReviewRecordView.as_view(results_only=True),
            name="review_record_results",
        ),
    ]
