# label: clean CWE-79
import html

from django.http import HttpResponse


def receipt(request):
    """A plain HTML receipt with the buyer's name and note escaped."""
    name = html.escape(request.POST.get("name", ""))
    note = html.escape(request.POST.get("note", ""))
    body = "<h1>Thanks, " + name + "</h1>"
    body += "<p>Your note: " + note + "</p>"
    return HttpResponse(body)
