"""Checks of a page at phone width (issue 19 item 10), shared by the phone browser tests."""

from __future__ import annotations

PHONE = {"width": 390, "height": 844}


def page_fits(page) -> None:
    """Nothing wider than the screen: the page never scrolls sideways (tables scroll inside their panel)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.evaluate("window.innerWidth") == PHONE["width"], f"{page.url}: the page is {width}px wide"
    # the filter bar and the page's own controls stay on the screen (not cut off at the right)
    cut = page.evaluate("""() => [...document.querySelectorAll('.topbar-filters *, form button, form select, form input')]
        .filter(el => el.offsetParent !== null && !el.closest('[data-sidebar], .table-wrap, .table-scroll'))
        .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
        .map(el => el.outerHTML.slice(0, 80))""")
    assert not cut, f"{page.url}: cut off at the right: {cut}"


def tiles_on_one_line(page) -> None:
    """Every tile's number on one line and inside its tile ("¥555,1 / 74.30" was the bug)."""
    lines = page.evaluate("""() => [...document.querySelectorAll('.tile-value')].map(el => {
        const lh = parseFloat(getComputedStyle(el).lineHeight) || parseFloat(getComputedStyle(el).fontSize) * 1.5;
        return [el.dataset.kpi, Math.round(el.getBoundingClientRect().height / lh), el.scrollWidth <= el.clientWidth + 1];
    })""")
    assert lines and all(n == 1 and fits for _kpi, n, fits in lines), lines


def charts_fit(page, selector: str = "[data-chart-ready]") -> None:
    """Every ready chart as wide as the screen at most, and its category labels side by side without
    overlapping: the labels ECharts shows, each as wide as the widest one measured in the page's font
    (turned by the axis' rotation), add up to no more than the axis' length."""
    charts = page.evaluate("""selector => [...document.querySelectorAll(selector)]
      .filter(el => el.offsetParent !== null).map(el => {
        const box = el.getBoundingClientRect();
        const chart = window.echarts && echarts.getInstanceByDom(el);
        if (!chart) return [(el.id || el.getAttribute('data-chart')) + ' (not drawn)', box.left, box.right, Infinity, 0, 0];
        const axis = chart.getModel().getComponent('xAxis', 0).axis;
        const labels = axis.getViewLabels().map(l => l.formattedLabel);
        const ctx = document.createElement('canvas').getContext('2d');
        ctx.font = '11px ' + getComputedStyle(document.body).fontFamily;
        const widest = Math.max(0, ...labels.map(t => ctx.measureText(t).width));
        const turn = (chart.getOption().xAxis[0].axisLabel.rotate || 0) * Math.PI / 180;
        const extent = axis.getExtent();
        return [el.id || el.getAttribute('data-chart'), box.left, box.right, labels.length * widest * Math.cos(turn),
                Math.abs(extent[1] - extent[0]), labels.length];
      })""", selector)
    assert charts, f"{page.url}: no chart"
    for name, left, right, needed, length, count in charts:
        assert left >= 0 and right <= PHONE["width"] + 0.5, (page.url, name, left, right)
        assert needed <= length and count >= 1, f"{page.url}: chart {name}: {count} labels need {needed:.0f}px of {length}px"
