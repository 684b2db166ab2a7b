"""A strict, browser-free check of the HTML pages mlplat writes (`mlplat cost --format html`).

The page is HTML5 written so that it is also well-formed XML (void elements closed with `/>`), so a strict
XML parser (the standard library's) rejects any unclosed or misnested element, unquoted attribute or bad
entity. On the parsed tree: only the elements the page uses, no scripts, event handlers or external
resources, tables with a header row and rows as wide as it, an SVG chart whose bars are numbers inside its
viewBox, and inline CSS that parses into rules of known properties, every class the page uses styled.
`check_page` returns the problems; [] is a good page.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
HTML_ELEMENTS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "b", "code", "table", "thead",
                 "tbody", "tr", "th", "td"}
SVG_ELEMENTS = {"svg", "rect", "text", "title"}
# The CSS properties a self-contained report page may need (a misspelt one is silently ignored by browsers).
CSS_PROPERTIES = {"font-family", "font-size", "font-weight", "margin", "padding", "color", "background",
                  "background-color", "border", "border-collapse", "text-align", "fill", "stroke", "width",
                  "max-width", "line-height"}
SELECTOR = re.compile(r"^(?:[a-z][a-z0-9]*|\.[a-z][a-z0-9_-]*|[a-z][a-z0-9]*:first-child)"
                      r"(?:\s+(?:[a-z][a-z0-9]*|\.[a-z][a-z0-9_-]*))*$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def css_problems(css: str) -> tuple[list[str], set[str]]:
    """(problems, classes styled) of a style sheet of plain rules `selectors{property:value;...}`."""
    problems, classes = [], set()
    if re.search(r"url\(|@import|expression\(", css, re.I):
        problems.append("the style sheet loads something (url(), @import)")
    text = re.sub(r"/\*.*?\*/", "", css, flags=re.S).strip()
    while text:
        match = re.match(r"([^{}]+)\{([^{}]*)\}\s*", text)
        if match is None:
            problems.append(f"CSS does not parse at {text[:40]!r}")
            break
        selectors, body = match.group(1), match.group(2)
        for selector in selectors.split(","):
            if not SELECTOR.match(selector.strip()):
                problems.append(f"CSS selector {selector.strip()!r} is not a plain selector")
            classes |= set(re.findall(r"\.([a-z][a-z0-9_-]*)", selector))
        for declaration in filter(None, (d.strip() for d in body.split(";"))):
            name, colon, value = declaration.partition(":")
            if not colon or not value.strip():
                problems.append(f"CSS declaration {declaration!r} has no value")
            elif name.strip() not in CSS_PROPERTIES:
                problems.append(f"CSS property {name.strip()!r} is unknown")
        text = text[match.end():]
    return problems, classes


def _svg_problems(svg: ET.Element) -> list[str]:
    problems = []
    box = svg.get("viewBox", "").split()
    if len(box) != 4 or not all(NUMBER.match(v) for v in box):
        return [f"the chart's viewBox {svg.get('viewBox')!r} is not four numbers"]
    _, _, width, height = (float(v) for v in box)
    if (svg.get("width"), svg.get("height")) != (box[2], box[3]):
        problems.append("the chart's width and height differ from its viewBox")
    for rect in svg.iter(f"{SVG}rect"):
        values = [rect.get(k, "") for k in ("x", "y", "width", "height")]
        if not all(NUMBER.match(v) for v in values):
            problems.append(f"a bar has a non-numeric position or size: {values}")
            continue
        x, y, w, h = (float(v) for v in values)
        if w < 0 or h < 0 or x < 0 or y < 0 or x + w > width + 0.05 or y + h > height + 0.05:
            problems.append(f"a bar lies outside the chart: {values} in {box}")
    return problems


def check_page(page: str) -> list[str]:
    """The problems of a self-contained HTML page (see the module docstring)."""
    first, _, rest = page.partition("\n")
    if first != "<!DOCTYPE html>":
        return ["the page does not start with <!DOCTYPE html>"]
    try:
        root = ET.fromstring(rest)
    except ET.ParseError as error:
        return [f"not well-formed: {error}"]
    problems = []
    if root.tag != "html" or not root.get("lang") or [c.tag for c in root] != ["head", "body"]:
        return ["the page is not <html lang> with <head> and <body>"]
    head, body = root
    if head.find("meta[@charset='utf-8']") is None or not (head.findtext("title") or "").strip():
        problems.append("the head lacks <meta charset='utf-8'> or a title")
    styles = head.findall("style")
    if len(styles) != 1:
        problems.append(f"{len(styles)} style elements; the page has one inline style sheet")
    css, styled = css_problems(styles[0].text or "") if styles else ([], set())
    problems += css
    used = set()
    for element in root.iter():
        tag = element.tag.replace(SVG, "") if element.tag.startswith(SVG) else element.tag
        allowed = SVG_ELEMENTS if element.tag.startswith(SVG) else HTML_ELEMENTS
        if tag not in allowed:
            problems.append(f"<{tag}> is not an element this page uses")
        for name, value in element.attrib.items():
            if name.lower().startswith("on") or name in ("src", "href") or "javascript:" in value.lower():
                problems.append(f"<{tag} {name}=...> loads or runs something")
        used |= set(element.get("class", "").split())
    problems += [f"class {c!r} is used but not styled" for c in sorted(used - styled)]
    for table in body.iter("table"):
        header = table.findall("thead/tr/th")
        rows = table.findall("tbody/tr")
        if not header or len(table.findall("thead/tr")) != 1:
            problems.append("a table without one header row")
        problems += [f"a table row has {len(r.findall('td'))} cells under {len(header)} headers"
                     for r in rows if len(r.findall("td")) != len(header)]
    for svg in body.iter(f"{SVG}svg"):
        problems += _svg_problems(svg)
    return problems
