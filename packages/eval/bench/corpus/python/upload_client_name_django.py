# label: vulnerable CWE-22
import os

from django.conf import settings
from django.http import JsonResponse


def upload_avatar(request):
    """Store the uploaded avatar under the name the browser sent."""
    f = request.FILES["avatar"]
    dest = os.path.join(settings.MEDIA_ROOT, "avatars", f.name)
    with open(dest, "wb+") as out:
        for chunk in f.chunks():
            out.write(chunk)
    return JsonResponse({"path": dest})
