"""Tags of the item pages and the plan's items table."""

from django import template

from ..display import fix_date_revisions

register = template.Library()


@register.inclusion_tag("plans/partials/fix_date.html")
def fix_date(item, detailed=False):
    """Render an item's agreed fix date with its accepted and proposed revisions.

    `detailed` adds each revision's reason and the report it came in, which the
    item page shows in full and the items table in a smaller type.
    """
    return {"item": item, "revisions": fix_date_revisions(item), "detailed": detailed}
