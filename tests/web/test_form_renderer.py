"""The form renderer writes plain inputs and textareas exactly as Django's own widget templates do."""

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from workflow.lifecycle.forms import CommentForm, RequestChangesForm
from workflow.web.form_renderer import FormRenderer, render_simple_widget

TEMPLATE_RENDERER = DjangoTemplates()
FAST_RENDERER = FormRenderer()

WIDGETS = [
    forms.TextInput(),
    forms.TextInput(attrs={"placeholder": 'say "hi" <b>', "required": True, "disabled": False}),
    forms.EmailInput(attrs={"autocomplete": "email"}),
    forms.NumberInput(attrs={"min": 1, "max": 9}),
    forms.PasswordInput(render_value=True),
    forms.URLInput(),
    forms.HiddenInput(),
    forms.DateInput(attrs={"type": "date"}),
    forms.CheckboxInput(),
    forms.Textarea(attrs={"rows": 3, "aria-describedby": "x_helptext"}),
]
VALUES = [None, "", "plain", 'quote " and <tag> & ampersand', mark_safe("<em>safe</em>"), 0, 42, True, False]


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: type(w).__name__)
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_each_simple_widget_is_written_as_djangos_template_writes_it(widget, value):
    attrs = {"id": "id_field", "class": "wide"}
    expected = widget.render("field", value, attrs=attrs, renderer=TEMPLATE_RENDERER)
    assert widget.render("field", value, attrs=attrs, renderer=FAST_RENDERER) == expected


def test_a_date_value_is_written_in_the_widgets_format():
    widget = forms.DateInput(format="%d-%m-%Y")
    expected = widget.render("day", dt.date(2026, 12, 7), renderer=TEMPLATE_RENDERER)
    assert (
        widget.render("day", dt.date(2026, 12, 7), renderer=FAST_RENDERER)
        == expected
        == ('<input type="text" name="day" value="07-12-2026">')
    )


def test_other_widgets_still_go_through_their_templates():
    select = forms.Select(choices=[("a", "A"), ("b", "B")])
    context = select.get_context("choice", "a", {"id": "id_choice"})
    assert render_simple_widget(select.template_name, context["widget"]) is None
    assert select.render("choice", "a", renderer=FAST_RENDERER) == select.render(
        "choice", "a", renderer=TEMPLATE_RENDERER
    )


FORMS = [
    lambda renderer: CommentForm(
        auto_id="id_%s_general", initial={"section_key": "roles", "parent": 3}, renderer=renderer
    ),
    lambda renderer: CommentForm(
        {"body": "x" * 9000, "section_key": "roles"}, auto_id="id_%s_reply7", renderer=renderer
    ),
    lambda renderer: RequestChangesForm({"note": ""}, renderer=renderer),
]


@pytest.mark.parametrize("make_form", FORMS)
def test_a_whole_form_renders_the_same_with_either_renderer(make_form):
    fast = str(make_form(FAST_RENDERER))
    assert fast == str(make_form(TEMPLATE_RENDERER))
    assert "<textarea" in fast


def test_the_site_renders_its_forms_with_it(settings):
    assert settings.FORM_RENDERER == "workflow.web.form_renderer.FormRenderer"
