"""Signals through which `maps` tells higher layers what happened, without importing them."""

from django.dispatch import Signal

# Sent after the transaction that changed a map commits, with journey_id, revision
# (the map's new version), actor_id and actor (the person, already loaded). The live-update
# layer turns it into an event.
journey_changed = Signal()
