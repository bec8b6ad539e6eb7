"""Which figures a section's editor offers: a section speaks of its own part of the records, so
its picker lists those figures first (the relief section relief.*, the donations section its
drives and funds …); the rest of the report's figures are one toggle away.

Figures are matched by the first parts of their keys (``relief`` matches ``relief.total.amount``
and ``relief.fund.3.amount``, not ``reliefs.x``).
"""

SECTION_FIGURE_PREFIXES = {
    "relief": ("relief",),
    "donations": ("donations", "drive", "fund", "goods"),
    "training": ("training",),
    "projects": ("projects", "project"),
    "counties": ("county",),
    "plan": ("plan",),
}

# The review and the sections staff write (宣传工作, 党的建设 …) speak of the period as a whole:
# its totals.
SUMMARY_PREFIXES = (
    "relief.total",
    "donations.total",
    "training.total",
    "projects.total",
    "county.total",
    "plan",
)


def figure_prefixes(section_key):
    """The key prefixes of the figures a section's picker offers first."""
    return SECTION_FIGURE_PREFIXES.get(section_key, SUMMARY_PREFIXES)


def has_prefix(key, prefixes):
    return any(key == prefix or key.startswith(prefix + ".") for prefix in prefixes)


def pickable(figures):
    """The figures worth picking: not the bare names (a category's or a fund's name is words the
    text writes, not a figure)."""
    return [figure for figure in figures.values() if not figure.key.endswith(".name")]


def picker_entries(section_key, figures):
    """Every pickable figure with whether it is the section's own, the section's first."""
    prefixes = figure_prefixes(section_key)
    own, others = [], []
    for figure in pickable(figures):
        (own if has_prefix(figure.key, prefixes) else others).append(figure)
    return [(figure, True) for figure in own] + [(figure, False) for figure in others]


def section_figures(section_key, figures):
    """The figures a section's picker lists before "全部数字"."""
    return [figure for figure, is_own in picker_entries(section_key, figures) if is_own]
