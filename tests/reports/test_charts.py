"""The charts' geometry (reports.charts): scales, axes and what is drawn beyond a goal."""

import datetime
from decimal import Decimal

from reports import charts


def test_a_step_is_round_and_divides_the_span_into_about_four():
    assert [charts.nice_step(span) for span in (60, 57.3, 150, 8, 0.9, 0)] == [20, 20, 50, 2, 0.25, 1]


def test_a_name_too_long_for_its_room_is_cut_with_an_ellipsis():
    assert charts.shorten("第四中学红十字示范校项目", 12 * 5) == "第四中学…"
    assert charts.shorten("博爱一日捐", 200) == "博爱一日捐"


def row(name, value, goal, over=False):
    return charts.Row(name, Decimal(value), goal and Decimal(goal), "/x/", name, "", over=over)


def test_each_bar_is_drawn_against_its_own_goal_and_the_overspent_part_is_marked():
    chart = charts.bar_chart(
        title="t",
        label="l",
        rows=[
            row("小", "17500", "35000"),
            row("大", "1200000", "71300000"),
            row("超", "83500", "80000", True),
        ],
    )
    small, large, over = chart.rows
    full = charts.WIDTH - 2
    # Half its budget spent: half the width, however small the budget beside a large one.
    assert (small.goal_x, small.mark.width) == (full, full / 2)
    assert large.goal_x == full and 0 < large.mark.width < 10
    # Beyond its budget: the bar fills the width, the budget's line inside it, the rest marked.
    assert over.mark.width == full and over.goal_x < full
    assert over.beyond == (over.goal_x, round(full - over.goal_x, 1))
    assert small.beyond is None


def test_the_columns_of_a_month_stand_side_by_side_and_the_axis_counts_in_wan():
    def series(year, values, fill):
        return charts.Series(f"{year}年", year, values, lambda month: f"/{month}", fill)

    chart = charts.column_chart(
        title="t",
        label="l",
        series=[
            series(2019, {datetime.date(2019, 3, 1): Decimal("20000")}, charts.LAST_YEAR),
            series(
                2020,
                {datetime.date(2020, 3, 1): Decimal("57000"), datetime.date(2020, 9, 1): Decimal("-500")},
                charts.THIS_YEAR,
            ),
        ],
        describe=lambda s, month, value: f"{s.label}{month.month}",
    )
    assert chart.unit == "万元"
    assert [label for _y, label in chart.ticks] == ["-2", "0", "2", "4", "6"]
    last, this, negative = chart.marks
    assert (last.data, this.data) == (
        {"series": "2019年", "month": "2019-03"},
        {"series": "2020年", "month": "2020-03"},
    )
    assert last.x < this.x and last.url == "/2019-03-01"
    # 5.7万 stands 2.85 times as tall as 2万; a refund below the zero line hangs from it.
    assert round(this.height / last.height, 2) == 2.85
    assert negative.y == chart.axis_y and negative.height > 0
