# label: vulnerable CWE-601
from django.http import HttpResponse


def continue_to(request):
    """After accepting the terms, send the user on to the page they wanted."""
    response = HttpResponse(status=302)
    response["Location"] = request.GET.get("next", "/")
    return response
