"""Template filters for money, counts and personal data, so templates never format by hand."""

from django import template

from redcross import money
from redcross.idnumber import mask_id_number

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
def id_number(context, beneficiary):
    """The beneficiary's ID number: in full for those allowed to see it, masked for everyone else."""
    if beneficiary is None or not beneficiary.id_number:
        return ""
    access = context["access"]
    if access.can_see_personal_data(beneficiary.chapter_id):
        return beneficiary.id_number
    return mask_id_number(beneficiary.id_number)
