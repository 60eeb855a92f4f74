"""The workbench's shared shape: figures as people read them, charts as tables and CSV."""

import csv
import io

import pytest

from workflow.dashboards import chart_csv, chart_table, figure_display

CHART = {
    "id": "by_agency",
    "category_label": "单位",
    "categories": ["X市交通运输局", '=HYPERLINK("http://evil")'],
    "series": [
        {"name": "拖欠金额", "unit": "cny", "data": ["1530000.00", "0.00"]},
        {"name": "清偿率", "unit": "rate", "data": [0.052287, None]},
        {"name": "平均办理天数", "unit": "days", "data": [41.5, None]},
    ],
}


def test_figures_read_as_people_read_them():
    assert figure_display("1530000.00", "cny") == "1,530,000.00"
    assert figure_display(0.052287, "rate") == "5.2%"
    assert figure_display(1.0, "rate") == "100.0%"
    assert figure_display(None, "rate") == "—"
    assert figure_display(41.5, "days") == "41.5"
    assert figure_display(12, "count") == "12"


def test_a_chart_as_a_table_labels_every_cell():
    table = chart_table(CHART)
    assert table["head"] == ["单位", "拖欠金额", "清偿率", "平均办理天数"]
    assert table["rows"][0] == {
        "category": "X市交通运输局",
        "cells": [("拖欠金额", "1,530,000.00"), ("清偿率", "5.2%"), ("平均办理天数", "41.5")],
    }
    assert table["rows"][1]["cells"] == [("拖欠金额", "0.00"), ("清偿率", "—"), ("平均办理天数", "—")]


def test_csv_keeps_raw_values_and_never_writes_a_formula():
    rows = list(csv.reader(io.StringIO(chart_csv({"charts": [CHART]}, "by_agency"))))
    assert rows == [
        ["单位", "拖欠金额", "清偿率", "平均办理天数"],
        ["X市交通运输局", "1530000.00", "0.052287", "41.5"],
        ['\'=HYPERLINK("http://evil")', "0.00", "", ""],
    ]
    from workflow.errors import NotFound

    with pytest.raises(NotFound):
        chart_csv({"charts": [CHART]}, "nope")
