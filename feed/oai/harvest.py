"""What a harvest selects, read from `FeedRecord` only (never the asset tables), so
nothing that is not public can leave: a public record's metadata, or a tombstone.

Order and paging. Lists walk records in (datestamp, id) order, one keyset page at a
time (`feed_record_datestamp_id` index). A record's datestamp moves forward when it
changes publicly (edited, withdrawn, expired). A harvest under way when that
happens cannot crash or loop: the cursor only ever moves forward in a total order, so
each page is strictly after the previous one. A record already sent that changes
moves ahead of the cursor and is sent again, in its new state, later in the same
list (or, past `until`, in the next incremental harvest); one not yet sent that
changes is still ahead of the cursor and is sent once, in its new state. Nothing is
missed. `completeListSize` is counted on the first page and is therefore an estimate
afterwards, which the specification allows.

Expiry before the scheduler. A record whose `expires_at` has passed is gone at once
(`FeedRecord.objects.gone()`), although `operations.expire_due` has not yet made it
a tombstone with a new datestamp. Such a record ("pending expiry") is sent as
deleted, without metadata, and its datestamp is its expiry (`effective_datestamp`):
that is when it left. So that an incremental harvest `from` a moment before the
expiry gets it even though its stored datestamp is older, the first page of a list
with `from` also carries the pending expiries whose stored datestamp is before
`from` and whose expiry is inside the range (few: they only exist between an expiry
and the next scheduler tick); the keyset walk leaves out those pending expiries whose
expiry is past `until`.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery

from ..models import FeedRecord, FeedSetMembership


class _SpecList(models.Aggregate):
    """The set specs of a record, space-separated (a setSpec never holds a space),
    so that a page is one query: GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s, ' ')"
    output_field = models.TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra_context)


FIELDS = ("id", "kind", "asset_id", "datestamp", "deleted", "expires_at")


@dataclass(frozen=True, slots=True)
class Row:
    id: int
    kind: str
    asset_id: int
    datestamp: object
    gone: bool
    specs: tuple
    record: dict  # {} when gone: the metadata of a gone record is never read
    key: tuple  # (stored datestamp, id): where the keyset walk resumes after this row

    @property
    def local_id(self):
        return f"{self.kind}/{self.asset_id}"


@dataclass(frozen=True)
class Selection:
    set_spec: str | None = None
    start: object = None  # inclusive
    end: object = None  # exclusive


def _rows(queryset, now, with_metadata):
    specs = Subquery(
        FeedSetMembership.objects.filter(record=OuterRef("pk"))
        .values("record")
        .annotate(specs=_SpecList("spec"))
        .values("specs")[:1]
    )
    fields = FIELDS + (("record",) if with_metadata else ())
    rows = []
    for values in queryset.annotate(spec_list=specs).values_list(*fields, "spec_list"):
        pk, kind, asset_id, datestamp, deleted, expires_at = values[:6]
        pending = not deleted and expires_at is not None and expires_at <= now
        gone = deleted or pending
        rows.append(
            Row(
                id=pk,
                kind=kind,
                asset_id=asset_id,
                datestamp=expires_at if pending else datestamp,
                gone=gone,
                specs=tuple(sorted((values[-1] or "").split())),
                record={} if gone or not with_metadata else values[6],
                key=(datestamp, pk),
            )
        )
    return rows


def in_set(queryset, spec):
    """Records in set `spec` or, for a parent set ("type", "topic"), in any of its
    children: the specification's hierarchy (section 2.7.2)."""
    memberships = FeedSetMembership.objects.filter(record=OuterRef("pk"))
    if ":" in spec:
        memberships = memberships.filter(spec=spec)
    else:
        memberships = memberships.filter(spec__startswith=f"{spec}:")
    return queryset.filter(Exists(memberships))


def _pending(now):
    return Q(deleted=False, expires_at__isnull=False, expires_at__lte=now)


def _walk(selection, now):
    """The keyset-ordered part of a list: records whose stored datestamp is in range."""
    queryset = FeedRecord.objects.all()
    if selection.start is not None:
        queryset = queryset.filter(datestamp__gte=selection.start)
    if selection.end is not None:
        queryset = queryset.filter(datestamp__lt=selection.end)
        # A pending expiry is dated at its expiry: past `until`, it is not in this list.
        queryset = queryset.exclude(_pending(now) & Q(expires_at__gte=selection.end))
    if selection.set_spec:
        queryset = in_set(queryset, selection.set_spec)
    return queryset


def _late_expiries(selection, now):
    """Pending expiries dated inside the range but stored before `from` (see module)."""
    if selection.start is None:
        return FeedRecord.objects.none()
    queryset = FeedRecord.objects.filter(
        _pending(now), datestamp__lt=selection.start, expires_at__gte=selection.start
    )
    if selection.end is not None:
        queryset = queryset.filter(expires_at__lt=selection.end)
    if selection.set_spec:
        queryset = in_set(queryset, selection.set_spec)
    return queryset


def count(selection, now):
    return _walk(selection, now).count() + _late_expiries(selection, now).count()


def page(selection, *, after, size, now, with_metadata):
    """(rows, last key or None when the list is complete). `after` is the
    (datestamp, id) of the last record sent, None on the first page."""
    queryset = _walk(selection, now)
    extra = []
    if after is None:
        extra = _rows(_late_expiries(selection, now).order_by("expires_at", "id"), now, with_metadata)  # fmt: skip
    else:
        datestamp, pk = after
        # (datestamp, id) > (d, i), written so both SQLite and PostgreSQL start an index
        # range scan at d instead of reading from the beginning.
        queryset = queryset.filter(datestamp__gte=datestamp).exclude(datestamp=datestamp, id__lte=pk)  # fmt: skip
    rows = _rows(
        queryset.order_by("datestamp", "id")[: size + 1],
        now,
        with_metadata,
    )
    more = len(rows) > size
    rows = rows[:size]
    return extra + rows, (rows[-1].key if more else None)


def one(kind, asset_id, now, with_metadata=True):
    """The record of one asset (public or gone), or None if it was never public."""
    rows = _rows(FeedRecord.objects.filter(kind=kind, asset_id=asset_id), now, with_metadata)
    return rows[0] if rows else None


def earliest_datestamp():
    return FeedRecord.objects.order_by("datestamp").values_list("datestamp", flat=True).first()


def set_specs():
    """Every set some record (public or gone) is in, with its parents."""
    specs = set(FeedSetMembership.objects.values_list("spec", flat=True).distinct())
    return sorted(specs | {spec.partition(":")[0] for spec in specs})
