"""Jinja2 environment over the `templates` package. Loads through importlib.resources so the
templates are found from an editable checkout, a wheel, or the add-in's code zip alike."""

from __future__ import annotations

from functools import cache
from importlib import resources

import jinja2


def _source(name: str) -> str:
    return resources.files("templates").joinpath(name).read_text(encoding="utf-8")


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(_source),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "xml", "html.j2", "xml.j2")
        ),
        undefined=jinja2.StrictUndefined,  # a misspelt placeholder fails instead of printing ""
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, **context) -> str:
    return environment().get_template(name).render(**context)
