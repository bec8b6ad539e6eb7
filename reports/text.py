"""A section's text: paragraphs of staff-written words with live figures in them as tokens.

Everything a person typed is escaped; only the figures become markup, as links to the records
behind them.
"""

import re

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

TOKEN_RE = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")


def token(key):
    return "{{" + key + "}}"


def tokens_in(body):
    return TOKEN_RE.findall(body or "")


def unknown_tokens(body, figures):
    return [key for key in tokens_in(body) if key not in figures]


def paragraphs(body):
    return [line.strip() for line in (body or "").splitlines() if line.strip()]


def _figure_html(figure, key, link_base, editor):
    if figure is None:
        return format_html(
            '<span class="unknown-figure">{}</span>', _("【未知数字：%(key)s】") % {"key": key}
        )
    if editor:
        return format_html(
            '<span class="figure" title="{}" data-token="{}">{}</span>', figure.label, key, figure.text
        )
    if figure.url:
        return format_html('<a class="figure" href="{}{}">{}</a>', link_base, figure.url, figure.text)
    return escape(figure.text)


def render_paragraph(line, figures, *, link_base="", editor=False):
    """One paragraph as HTML: its words escaped, each token replaced by its figure."""
    parts = []
    position = 0
    for match in TOKEN_RE.finditer(line):
        parts.append(escape(line[position : match.start()]))
        key = match.group(1)
        parts.append(_figure_html(figures.get(key), key, link_base, editor))
        position = match.end()
    parts.append(escape(line[position:]))
    return mark_safe("".join(parts))


def render_body(body, figures, *, link_base="", editor=False):
    """The paragraphs of ``body`` as HTML paragraphs."""
    return mark_safe(
        "".join(
            format_html("<p>{}</p>", render_paragraph(line, figures, link_base=link_base, editor=editor))
            for line in paragraphs(body)
        )
    )


def render_plain(body, figures):
    """The text with every figure written out, as it reads in the report."""

    def replace(match):
        figure = figures.get(match.group(1))
        return figure.text if figure is not None else match.group(0)

    return "\n".join(TOKEN_RE.sub(replace, line) for line in paragraphs(body))
