# label: vulnerable CWE-79
"""Render e-mail previews with Jinja2."""
from jinja2 import Environment, FileSystemLoader

env = Environment(loader=FileSystemLoader("templates"), autoescape=False)


def render_preview(subject: str, body: str) -> str:
    template = env.get_template("preview.html")
    return template.render(subject=subject, body=body)
