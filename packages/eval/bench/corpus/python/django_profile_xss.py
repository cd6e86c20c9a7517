# label: vulnerable CWE-79
from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from .models import Profile


def profile(request, username):
    """Public profile page with the bio the user wrote."""
    p = get_object_or_404(Profile, user__username=username)
    highlight = request.GET.get("highlight", "")
    body = "<h1>%s</h1><p>%s</p><p class='hl'>%s</p>" % (p.display_name, p.bio, highlight)
    return HttpResponse(body)
