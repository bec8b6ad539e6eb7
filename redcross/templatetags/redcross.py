"""Template filters for money, counts and personal data, so templates never format by hand."""

from django import template

from redcross import money, personal
from redcross.urls_util import records_url

register = template.Library()


@register.filter
def yuan(value):
    """Report style: 26.2万元, 6000元."""
    return money.format_yuan(value)


@register.filter
def amount(value):
    """Exact amount: 262,000.00."""
    return money.format_money(value)


@register.filter
def persons(value):
    """Report style head count: 117人, 1.1万人."""
    return money.format_count(value)


@register.simple_tag
def cases_persons(cases, persons_count):
    """140例(117人), or 117人 when the two agree."""
    return money.format_cases(cases, persons_count)


@register.simple_tag(takes_context=True)
def id_number(context, record):
    """A record's ID number: in full for those allowed to see it, masked for everyone else."""
    if record is None:
        return ""
    return personal.shown(context["access"], record.chapter_id, record.id_number, "id_number")


@register.simple_tag(takes_context=True)
def phone(context, record):
    """A record's phone number, in full or masked like ID numbers."""
    if record is None:
        return ""
    return personal.shown(context["access"], record.chapter_id, record.phone, "phone")


@register.simple_tag(takes_context=True)
def url_with(context, route, **params):
    """The URL of list ``route`` filtered by ``params``: how a figure links to the records behind it."""
    return records_url(route, **params)


@register.filter
def quantity(value):
    """A quantity of goods: 1,200 (not 1200.00); 2.5 keeps its decimal."""
    if value in (None, ""):
        return ""
    return money.format_quantity(value)
