"""Jinja2 environment over the `templates` package. Loads through importlib.resources so the
templates are found from an editable checkout, a wheel, or the add-in's code zip alike.

Every value a template prints passes `finalize` first: its control characters are stripped
(text.clean_text), so no report, page or script carries a county's ESC or bidi override,
whichever template prints it."""

from __future__ import annotations

from functools import cache
from importlib import resources

import jinja2
from markupsafe import Markup

from addin.write.text import clean_text


def _source(name: str) -> str:
    return resources.files("templates").joinpath(name).read_text(encoding="utf-8")


def _finalize(value):
    if isinstance(value, Markup):
        return Markup(clean_text(str(value)))
    if isinstance(value, str):
        return clean_text(value)
    return value


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(_source),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "xml", "html.j2", "xml.j2")
        ),
        undefined=jinja2.StrictUndefined,  # a misspelt placeholder fails instead of printing ""
        finalize=_finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, **context) -> str:
    return environment().get_template(name).render(**context)
