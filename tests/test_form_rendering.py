"""Form attributes: the faster html_params writes exactly what WTForms' own does."""

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup
from wtforms import widgets
from wtforms.widgets import core

from app.form_rendering import html_params, original_html_params

KEYS = st.sampled_from(["id", "name", "class_", "for_", "data_x_y", "aria_label", "value", "x"])
VALUES = st.one_of(
    st.booleans(),
    st.text(),
    st.text().map(Markup),
    st.integers(),
    st.none(),
    st.just('say "hi" & <go>'),
)


@given(st.dictionaries(KEYS, VALUES))
def test_the_same_attributes_as_wtforms(attributes):
    ours, theirs = html_params(**attributes), original_html_params(**attributes)
    assert ours == theirs
    assert type(ours) is type(theirs) is Markup


def test_every_widget_and_label_renders_with_it(app):
    assert core.html_params is widgets.html_params is html_params
    assert widgets.TextInput.html_params is widgets.SubmitInput.html_params is html_params
    assert widgets.Button.html_params is html_params
    with app.test_request_context():
        from app.auth.forms import LoginForm

        form = LoginForm()
        html = "|".join([form.email(autofocus=True), form.email.label()])
    assert html == (
        '<input autofocus id="email" maxlength="254" name="email" required type="text" value="">|'
        '<label for="email">Email or sign-in name</label>'
    )
