"""Deletes that keep everything: the one soft-deletion mechanism every app's services use.

Deleting a row marks it, and every row that depends on it (found the way Django's own
cascade finds them), with one `Deletion`. Soft-deletable models read through a default
manager that skips marked rows, so a deleted stage's steps, checkpoints, review history,
comments and votes leave every read together; restoring unmarks exactly those rows, as
they were. `deletions_purge` removes for good what stayed deleted past the retention period.

These functions run inside the caller's transaction, after it has locked the map.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, models, router, transaction
from django.db.models.deletion import CASCADE, Collector
from django.utils import timezone
from django.utils.timesince import timesince

from core.errors import ApplicationError, NotFound

from .models import Change, Deletion, Journey, SoftDeletable

# Rows a cascade reaches that are not themselves deleted: the history (it records the delete)
# and the deletions. Many-to-many link rows stay too; their ends decide what is read.
KEPT_ON_DELETE: tuple[type[models.Model], ...] = (Change, Deletion)


def _holder(model: type[models.Model]) -> type[models.Model]:
    """The model whose table holds the `deletion` column (a touchpoint's is its card's)."""
    return model._meta.get_field("deletion").model


def soft_deletable_models(*, all_tables: bool = False) -> list[type[models.Model]]:
    """The models holding a `deletion` column (with `all_tables`, their multi-table children too)."""
    return [m for m in apps.get_models() if issubclass(m, SoftDeletable) and (all_tables or _holder(m) is m)]


@dataclass
class DeletionPlan:
    """What deleting `root` would take: the rows still live, by the model holding their mark."""

    root: models.Model
    rows: dict[type[models.Model], list[int]] = field(default_factory=dict)
    # Links to taken rows from rows that stay (what a hard delete would set to NULL).
    unlinked: list[dict] = field(default_factory=list)

    @property
    def took(self) -> list[dict]:
        """Each kind it takes besides the root, with its count: [{"kind", "plural", "count"}]."""
        root_holder = _holder(type(self.root))
        items = []
        for model, pks in self.rows.items():
            count = len(pks) - (1 if model is root_holder and self.root.pk in pks else 0)
            if count:
                items.append({"kind": str(model._meta.verbose_name), "plural": str(model._meta.verbose_name_plural),
                              "count": count})
        return items

    @property
    def named(self) -> list[str]:
        """The rows worth naming one by one (a model says so with `deletion_note()`): checkpoints and their review."""
        notes = []
        for model, pks in self.rows.items():
            for concrete in [m for m in soft_deletable_models(all_tables=True)
                             if _holder(m) is model and hasattr(m, "deletion_note")]:
                notes += [row.deletion_note() for row in concrete.all_objects.filter(pk__in=pks).order_by("pk")]
        return notes


def deletion_plan(root: models.Model) -> DeletionPlan:
    """Everything that goes with `root`: what a hard delete would cascade to, less what is already deleted."""
    collector = Collector(using=router.db_for_write(type(root)), origin=root)
    collector.collect([root])
    found: dict[type[models.Model], set[int]] = defaultdict(set)
    for model, instances in collector.data.items():
        found[model].update(i.pk for i in instances)
    for queryset in collector.fast_deletes:
        found[queryset.model].update(queryset.values_list("pk", flat=True))
    rows: dict[type[models.Model], set[int]] = defaultdict(set)
    for model, pks in found.items():
        if model._meta.auto_created or issubclass(model, KEPT_ON_DELETE):
            continue
        if not issubclass(model, SoftDeletable):
            raise ImproperlyConfigured(f"{model._meta.label} depends on {type(root)._meta.label} but cannot be "
                                       "soft-deleted: make it SoftDeletable or list it in KEPT_ON_DELETE.")
        rows[_holder(model)].update(pks)
    plan = DeletionPlan(root=root)
    for model, pks in rows.items():
        live = sorted(model.objects.filter(pk__in=pks).values_list("pk", flat=True))
        if live:
            plan.rows[model] = live
    for (fk, _value), batches in collector.field_updates.items():
        for batch in batches:
            for row in batch:
                holder = _holder(type(row)) if isinstance(row, SoftDeletable) else type(row)
                if row.pk in plan.rows.get(holder, ()) or getattr(row, "deletion_id", None):
                    continue  # it goes too, or is already gone
                plan.unlinked.append({"model": fk.model._meta.label, "pk": row.pk, "field": fk.attname,
                                      "value": getattr(row, fk.attname)})
    return plan


def soft_delete(*, actor: AbstractBaseUser, root: models.Model, entity: str, workspace_id: int,
                journey: Journey | None) -> Deletion:
    """Marks `root` and everything depending on it with one new `Deletion`, and closes the gap it leaves."""
    plan = deletion_plan(root)
    deletion = Deletion.objects.create(
        workspace_id=workspace_id, journey=journey, entity=entity, entity_id=root.pk, label=str(root)[:200],
        model_label=type(root)._meta.label,
        took=plan.took, named=plan.named, unlinked=plan.unlinked, actor=actor if actor.is_authenticated else None,
    )
    for model, pks in plan.rows.items():
        model.all_objects.filter(pk__in=pks, deletion=None).update(deletion=deletion, deleted_at=deletion.at)
    for link in plan.unlinked:
        apps.get_model(link["model"])._base_manager.filter(pk=link["pk"]).update(**{link["field"]: None})
    renumber_siblings(root)
    return deletion


def not_found(model: type[models.Model], *, journey_id: int, pk: int, noun: str) -> NotFound:
    """The 404 for a row of this map that is not there; one someone deleted meanwhile says who, when and
    how to get it back, instead of a bare "no such" (a stale board still shows it)."""
    row = (model.all_objects.filter(journey_id=journey_id, pk=pk).exclude(deletion=None)
           .select_related("deletion__actor").first())
    if row is None:
        return NotFound(f"No such {noun} on this map.")
    deletion = row.deletion
    who = f" by {deletion.actor.get_full_name() or deletion.actor.get_username()}" if deletion.actor else ""
    recent = timezone.now() - deletion.at < datetime.timedelta(minutes=1)
    when = "just now" if recent else f"{timesince(deletion.at)} ago"
    if deletion.entity == noun and deletion.entity_id == row.pk:
        said = f"The {noun} “{row}” was deleted{who} {when}."
    else:
        said = f"The {noun} “{row}” was deleted{who} {when}, with the {deletion.entity_display} “{deletion.label}”."
    return NotFound(f"{said} Restore it from the map's Activity to change it.")


def _parent_deleted(root: models.Model) -> models.Model | None:
    """A row `root` cannot live without (a card's stage...) that is itself still deleted."""
    for f in type(root)._meta.concrete_fields:
        if (f.is_relation and f.remote_field.on_delete is CASCADE and not f.remote_field.parent_link
                and issubclass(f.related_model, SoftDeletable)):
            value = getattr(root, f.attname)
            if value is not None:
                parent = f.related_model.all_objects.filter(pk=value).exclude(deletion=None).first()
                if parent is not None:
                    return parent
    return None


def restore(*, actor: AbstractBaseUser, deletion: Deletion) -> models.Model:
    """Brings back every row `deletion` took, as it was, and puts the root back in its place among its siblings."""
    root_model = apps.get_model(deletion.model_label)
    if deletion.restored_at is not None:
        raise ApplicationError(f"This {deletion.entity_display} was already restored.")
    root = root_model.all_objects.filter(pk=deletion.entity_id, deletion=deletion).first()
    if root is None:
        raise ApplicationError(f"The {deletion.entity_display} “{deletion.label}” can no longer be restored.")
    if (parent := _parent_deleted(root)) is not None:
        raise ApplicationError(f"Restore the {parent._meta.verbose_name} “{parent}” first: "
                               f"this {deletion.entity_display} belongs to it.")
    try:
        with transaction.atomic():
            for model in soft_deletable_models():
                model.all_objects.filter(deletion=deletion).update(deletion=None, deleted_at=None)
            for link in deletion.unlinked:  # relinked unless someone set another value since
                apps.get_model(link["model"])._base_manager.filter(pk=link["pk"], **{link["field"]: None}).update(
                    **{link["field"]: link["value"]})
    except IntegrityError:
        raise ApplicationError(f"The {deletion.entity_display} “{deletion.label}” cannot come back: "
                               "one like it was added since. Delete or rename that one first.") from None
    deletion.restored_at = timezone.now()
    deletion.restored_by = actor if actor.is_authenticated else None
    deletion.save(update_fields=["restored_at", "restored_by"])
    root = root_model.objects.get(pk=root.pk)
    renumber_siblings(root, keep=root)
    return root


def renumber_siblings(row: models.Model, *, keep: models.Model | None = None) -> None:
    """Gives the live siblings of `row` the positions 0..n-1; `keep` goes back to its own position."""
    scope = type(row).position_scope if isinstance(row, SoftDeletable) else ()
    if not scope:
        return
    model = _holder(type(row))
    siblings = list(model.objects.filter(**{f"{name}_id": getattr(row, f"{name}_id") for name in scope})
                    .order_by("position", "id"))
    if keep is not None:
        others = [s for s in siblings if s.pk != keep.pk]
        at = max(0, min(keep.position, len(others)))
        siblings = others[:at] + [next(s for s in siblings if s.pk == keep.pk)] + others[at:]
    moved = []
    for position, item in enumerate(siblings):
        if item.position != position:
            item.position = position
            moved.append(item)
    if moved:
        model.all_objects.bulk_update(moved, ["position"])


def retention_cutoff() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=settings.DELETION_RETENTION_DAYS)


def deletions_purge(*, before: datetime.datetime | None = None) -> int:
    """Removes for good the rows of every deletion older than the retention period (and not restored).
    Returns how many deletions were purged."""
    stale = Deletion.objects.filter(restored_at=None, at__lt=before or retention_cutoff())
    count = stale.count()
    for deletion in stale.order_by("at"):
        with transaction.atomic():
            deletion.delete()  # the rows it marks cascade from it
    return count
