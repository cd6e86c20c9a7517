# label: clean CWE-79
from django.http import HttpResponse
from django.utils.html import format_html


def badge(request):
    """A small HTML badge with the visitor's name, escaped by format_html."""
    name = request.GET.get("name", "guest")
    return HttpResponse(format_html("<span class='badge'>{}</span>", name))
