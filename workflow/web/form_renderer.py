"""Django's form renderer, with the simplest widgets written in Python instead of through templates.

A page with a form per section (the agreement page holds a comment form for
each section and each thread) rendered about forty widgets, each through
three small templates: a third of the page's time. The widgets here are the
``<input>`` and ``<textarea>`` of Django's own templates (django/forms/widgets/
input.html, attrs.html and textarea.html), character for character; every
other template (selects, radio lists, the forms themselves, our own widget
templates) still goes through the template engine.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe

# The widget templates that are no more than django/forms/widgets/input.html.
_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "email", "number", "password", "url", "hidden", "date", "time", "checkbox", "search")
)
_TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"


def _text(value) -> str:
    """``{{ value|stringformat:'s' }}``: str() of the value, escaped unless it was marked safe."""
    return conditional_escape(value if isinstance(value, SafeData) else str(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: False leaves the attribute out, True writes its name alone."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(
            f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_text(value)}"'
        )
    return "".join(parts)


def render_simple_widget(template_name: str, widget: dict) -> SafeString | None:
    """The widget's HTML as Django's template would write it, or None when it is not one of ours to write."""
    if template_name in _INPUT_TEMPLATES and widget.get("template_name") == template_name:
        value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
        kind, name = conditional_escape(widget["type"]), conditional_escape(widget["name"])
        html = f'<input type="{kind}" name="{name}"{value}{_attrs(widget["attrs"])}>'
        return mark_safe(html)  # nosec B308 B703 # every part above is escaped
    if template_name == _TEXTAREA_TEMPLATE and widget.get("template_name") == template_name:
        value = conditional_escape(widget["value"]) if widget["value"] else ""
        html = f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'
        return mark_safe(html)  # nosec B308 B703 # every part above is escaped
    return None


class FormRenderer(DjangoTemplates):
    """settings.FORM_RENDERER: Django's renderer, the plain inputs and textareas written directly."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if isinstance(widget, dict) and len(context) == 1:
            html = render_simple_widget(template_name, widget)
            if html is not None:
                return html
        return super().render(template_name, context, request=request)
