"""Template helpers shared by every app's templates."""

from django import template

from communities.models import display_name as _display_name

register = template.Library()


@register.filter
def display_name(user) -> str:
    """A person's name as staff write it, falling back to the username."""
    return _display_name(user)


@register.simple_tag(takes_context=True)
def page_url(context, number: int, param: str = "page") -> str:
    """The current URL's query string with `param` set to a page number (other filters kept)."""
    query = context["request"].GET.copy()
    query[param] = number
    return "?" + query.urlencode()
