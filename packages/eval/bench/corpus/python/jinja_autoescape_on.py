# label: clean CWE-79
from jinja2 import Environment, FileSystemLoader, select_autoescape

env = Environment(loader=FileSystemLoader("templates"), autoescape=select_autoescape(["html", "xml"]))


def render_preview(subject: str, body: str) -> str:
    """Render the preview template with autoescaping."""
    return env.get_template("preview.html").render(subject=subject, body=body)
