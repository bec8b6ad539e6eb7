"""What must hold before a disclosure is published (the faults volunteers found in 2020's lists):
its totals equal the sum of its lines, and its cumulative figures do not go down from the last
version's unless a correction note says why."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _


def _number(value):
    try:
        return Decimal(str(value if value != "" else 0))
    except InvalidOperation:
        return None


def totals_problems(content):
    """Each section's totals against the sum of its lines; each summary figure against the
    section totals it adds up, and against the figure it must equal (a drive's goods received and
    the in-kind part of its gifts)."""
    problems = []
    totals = {}
    for section in content["sections"]:
        for index, column in enumerate(section["columns"]):
            if not column["total"]:
                continue
            stated = _number(section["totals"].get(column["key"], ""))
            added = sum((_number(row[index]) or Decimal(0) for row in section["rows"]), Decimal(0))
            totals[f"{section['key']}.{column['key']}"] = stated
            if stated is None or stated != added:
                problems.append(
                    _("“%(section)s”的“%(column)s”合计为%(stated)s，而各行相加为%(added)s")
                    % {
                        "section": section["title"],
                        "column": column["label"],
                        "stated": section["totals"].get(column["key"]),
                        "added": added,
                    }
                )
    figures = {item["key"]: item for item in content["summary"]}
    for item in content["summary"]:
        other = figures.get(item.get("equals"))
        if other is not None and _number(item["value"]) != _number(other["value"]):
            problems.append(
                _("“%(label)s”为%(stated)s，而“%(other)s”为%(value)s，两者应相等")
                % {
                    "label": item["label"],
                    "stated": item["value"],
                    "other": other["label"],
                    "value": other["value"],
                }
            )
        stated = _number(item["value"])
        added = sum((totals.get(key) or Decimal(0) for key in item["adds"]), Decimal(0))
        if stated is None or stated != added:
            problems.append(
                _("“%(label)s”为%(stated)s，而明细合计为%(added)s")
                % {"label": item["label"], "stated": item["value"], "added": added}
            )
    return problems


def cumulative_problems(content, previous, note):
    """Cumulative figures below the last version's, unless ``note`` (更正说明) explains them."""
    if previous is None or note.strip():
        return []
    earlier = previous.get("cumulative", {})
    problems = []
    # In the order the page shows the figures (PostgreSQL's jsonb keeps the stored keys sorted).
    for item in content["summary"]:
        key, before = item["key"], earlier.get(item["key"])
        now = content["cumulative"].get(key)
        if before is not None and now is not None and _number(now) < _number(before):
            problems.append(
                _("“%(label)s”从上一版的%(before)s减少为%(now)s，须填写更正说明")
                % {"label": item["label"], "before": before, "now": now}
            )
    return problems


def publish_problems(content, previous, note):
    return totals_problems(content) + cumulative_problems(content, previous, note)
