"""Charts drawn on the server as inline SVG with pygal: no JavaScript, no outside requests.

pygal (pinned in requirements.txt) writes small, scalable SVG and is maintained (3.x, 2026);
matplotlib would bring numpy and take tens of milliseconds a chart. pygal always adds a
`<script>` with its tooltip settings; it is removed, so nothing runs and the page's CSP
(no inline script) is kept. Every chart is drawn beside a table of the same figures.
"""

import sys
from functools import lru_cache

import pygal
from markupsafe import Markup
from pygal.etree import etree
from pygal.style import Style

# pygal appends an old-style import hook for its map plugins (unused here); Python 3.11 warns
# through it on every import that fails elsewhere, so it is taken out again.
sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, pygal.PluginImportFixer)]

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    font_family="system-ui, sans-serif",
    colors=("#1d4e89", "#c05621", "#2f855a", "#6b46c1", "#b83280", "#2c7a7b"),
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=12,
    legend_font_size=13,
    title_font_size=15,
)


def _svg(chart, label: str) -> Markup:
    tree = chart.render_tree()
    for parent in list(tree.iter()):
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.endswith("script"):
                parent.remove(child)
    tree.set("role", "img")
    tree.set("aria-label", label)
    tree.set("class", "chart")
    return Markup(etree.tostring(tree, encoding="unicode"))  # noqa: S704 (pygal's own markup)


def bar_chart(
    label: str,
    x_labels: list[str],
    series: list[tuple[str, list[float]]],
    *,
    horizontal: bool = False,
    stacked: bool = False,
) -> Markup:
    """An SVG bar chart of `series` (name, values) over `x_labels`, named `label`.

    Drawing takes pygal tens of milliseconds on a busy server, and the same figures come back
    request after request, so a chart is drawn once per distinct input (it depends on nothing
    else)."""
    return _drawn(
        str(label),
        tuple(str(x) for x in x_labels),
        tuple((str(name), tuple(float(v) for v in values)) for name, values in series),
        horizontal,
        stacked,
    )


@lru_cache(maxsize=512)
def _drawn(label: str, x_labels: tuple, series: tuple, horizontal: bool, stacked: bool) -> Markup:
    kind = pygal.HorizontalBar if horizontal else pygal.StackedBar if stacked else pygal.Bar
    chart = kind(
        style=STYLE,
        js=[],
        width=640,
        height=max(260, 26 * len(x_labels) + 80) if horizontal else 300,
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        print_values=False,
        x_label_rotation=0 if horizontal or len(x_labels) <= 6 else 35,
        truncate_label=-1,
        min_scale=1,
        max_scale=6,
        margin=10,
        disable_xml_declaration=True,
    )
    chart.x_labels = list(x_labels)
    for name, values in series:
        chart.add(name, list(values))
    if not any(any(values) for _name, values in series):
        chart.range = (0, 1)
    return _svg(chart, label)
