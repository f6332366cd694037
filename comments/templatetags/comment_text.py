"""`{% load comment_text %}` then `{{ comment|comment_html }}`: the body escaped, line breaks
kept, and the @mentions of members highlighted (nothing else of the body becomes markup)."""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from comments.services import MENTION

register = template.Library()


@register.filter
def comment_html(comment) -> SafeString:
    members = {m.user.username for m in comment.mentions.all()}

    def highlight(match) -> str:
        name = match.group(1).rstrip(".")
        if name not in members:
            return match.group(0)
        return f'<span class="mention">@{name}</span>{match.group(1)[len(name):]}'

    # Usernames hold no character that escaping changes, so matching the escaped text finds the same names.
    html = MENTION.sub(highlight, escape(comment.body))
    return mark_safe(html.replace("\n", "<br>"))
