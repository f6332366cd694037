"""What an imported file held beyond the map's own fields, kept so the map goes back out as it came in."""

from django.db import models

from maps.models import Journey, SoftDeletable


class ImportedOjf(SoftDeletable):
    """An .ojf file's own objects, each beside the view of it the map had just after import.

    Export starts from each original object and writes anew only the fields a person changed
    since (see `interchange.ojf`): service-blueprint layers, tags, icon colours, ids and fields
    no one here knows go back out as they came in. Keys of `stages`, `lanes` and `nodes` are
    the primary keys of the stage, lane and card (as text); each value is
    ``{"file": <the file's object>, "imported": <the map's view of it at import>}``.
    """

    journey = models.OneToOneField(Journey, on_delete=models.CASCADE, related_name="imported_ojf")
    root = models.JSONField(default=dict)  # the file's top-level fields other than its three lists
    imported = models.JSONField(default=dict)  # the journey's view (title, persona, point of view) at import
    stages = models.JSONField(default=dict)
    lanes = models.JSONField(default=dict)
    nodes = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"OpenJourney origin of map {self.journey_id}"
