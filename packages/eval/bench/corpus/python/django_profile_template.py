# label: clean CWE-79
from django.shortcuts import get_object_or_404, render

from .models import Profile


def profile(request, username):
    """Public profile page; the template escapes every value."""
    p = get_object_or_404(Profile, user__username=username)
    return render(request, "profile.html", {"profile": p, "highlight": request.GET.get("highlight", "")})
