"""API tokens, and the API's edits: each is the board's own services from maps.services,
composed so that one request is one transaction."""

import hashlib
import secrets
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.errors import NotAuthenticated, NotFound
from maps import services as map_services
from maps.models import Card, Journey, Lane, Stage
from workspaces.models import Membership
from workspaces.services import workspace_history_record

from .models import ApiToken

TOKEN_PREFIX = "jm_"
# Far past any cell's end: maps.services clamps a position to the end of the cell.
END_OF_CELL = 2**31 - 1


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


# --- tokens --------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """A new token and its secret: the only time the secret exists outside the caller's hands."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, prefix=secret[:10], secret_digest=secret_digest(secret))
    token.full_clean()
    token.save()
    _token_record(token=token, action="created")
    return token, secret


def _token_record(*, token: ApiToken, action: str) -> None:
    """A token acts in every workspace of its person, so each of those workspaces records it."""
    for workspace_id in Membership.objects.filter(user_id=token.user_id).values_list("workspace_id", flat=True):
        workspace_history_record(workspace_id=workspace_id, actor=token.user, action=action, entity="api_token",
                                 entity_id=token.pk, label=f"{token.name} ({token.prefix}…)")


@transaction.atomic
def api_token_revoke(*, user: AbstractBaseUser, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound("No such API token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        _token_record(token=token, action="revoked")
    return token


def api_token_authenticate(*, secret: str) -> AbstractBaseUser:
    """The active user whose live token this secret is; records that the token was used."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(secret_digest=secret_digest(secret), revoked_at=None, user__is_active=True)
        .first()
    )
    if token is None:
        raise NotAuthenticated("This API token is not valid (unknown, or revoked).")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


# --- edits ---------------------------------------------------------------------


@transaction.atomic
def stage_edit(
    *, actor: AbstractBaseUser, stage: Stage, version: int, data: dict[str, Any], position: int | None = None
) -> Stage:
    """Changes a stage's fields and/or its position; each part claims the version the previous one left."""
    if data or position is None:
        stage = map_services.stage_update(actor=actor, stage=stage, version=version, data=data)
        version = stage.version
    if position is not None:
        map_services.stage_move(actor=actor, stage=stage, version=version, position=position)
    return Stage.objects.get(pk=stage.pk)


@transaction.atomic
def lane_edit(
    *, actor: AbstractBaseUser, lane: Lane, version: int, data: dict[str, Any], position: int | None = None
) -> Lane:
    """Changes a lane's fields and/or its position, like `stage_edit`."""
    if data or position is None:
        lane = map_services.lane_update(actor=actor, lane=lane, version=version, data=data)
        version = lane.version
    if position is not None:
        map_services.lane_move(actor=actor, lane=lane, version=version, position=position)
    return Lane.objects.get(pk=lane.pk)


@transaction.atomic
def card_create(
    *, actor: AbstractBaseUser, journey: Journey, stage_id: int, lane_id: int, kind: str, data: dict[str, Any]
) -> Card:
    """A card of `kind` in a cell; refused unless the lane holds cards of that kind."""
    card = map_services.card_create(actor=actor, journey=journey, stage_id=stage_id, lane_id=lane_id, data=data)
    if card.kind != kind:  # raising rolls the new card back with the rest of the transaction
        raise ValidationError({"kind": f"That lane holds “{card.get_kind_display()}” cards ({card.kind})."})
    return card


@transaction.atomic
def card_edit(
    *,
    actor: AbstractBaseUser,
    card: Card,
    version: int,
    data: dict[str, Any],
    stage_id: int | None = None,
    lane_id: int | None = None,
    position: int | None = None,
) -> Card:
    """Changes a card's fields and/or moves it. A move to another cell without a position
    puts it at the end of that cell; one within its cell keeps its place."""
    moving = stage_id is not None or lane_id is not None or position is not None
    if data or not moving:
        card = map_services.card_update(actor=actor, card=card, version=version, data=data)
        version = card.version
    if moving:
        target = (stage_id or card.stage_id, lane_id or card.lane_id)
        if position is None:
            position = card.position if target == (card.stage_id, card.lane_id) else END_OF_CELL
        card = map_services.card_move(
            actor=actor, card=card, version=version, stage_id=target[0], lane_id=target[1], position=position
        )
    return card
