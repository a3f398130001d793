"""Text of item values and fix dates as the participant and review pages show them."""

from dataclasses import dataclass, field

from .imports.layout import item_columns


def column_value_text(item, column) -> str:
    """Return an item's value in one template column as a page shows it ("" when empty)."""
    value = getattr(item, column.field)
    if column.kind == "yes_no":
        return {True: "Yes", False: "No"}.get(value, "")
    if column.kind == "code_bodies":
        return "/".join(value)
    if column.kind == "date":
        return value.strftime("%d/%m/%Y") if value else ""
    if column.kind == "severity" and value:
        return item.get_severity_display()
    return value if value is not None else ""


def item_rows(item, kind: str) -> list[dict]:
    """Return a {label, field, value} row for each template column of an item, in order."""
    return [
        {"label": column.header, "field": column.field, "value": column_value_text(item, column)}
        for column in item_columns(kind)
    ]


@dataclass
class FixDateRevisions:
    """The revised fix dates that reports proposed for one item.

    The item's own expected fix date is the agreed one and never changes.
    `accepted` is the accepted revision of the latest report that has one;
    `proposed` contains the lines still awaiting a decision, oldest first.
    """

    accepted: object = None
    proposed: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.accepted is None and not self.proposed


def fix_date_revisions(item) -> FixDateRevisions:
    """Read an item's revised fix dates from the report lines its selector prefetched.

    The lines must be in `item.revised_fix_lines`, ordered by report
    submission (see `plans.selectors.revised_fix_lines_prefetch`); without them the
    item shows no revision.
    """
    lines = getattr(item, "revised_fix_lines", None) or []
    revisions = FixDateRevisions()
    for line in lines:
        if line.revised_date_decision == "accepted":
            revisions.accepted = line
        elif line.revised_date_decision == "pending":
            revisions.proposed.append(line)
    return revisions
