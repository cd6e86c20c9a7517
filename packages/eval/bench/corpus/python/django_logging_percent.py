# label: vulnerable CWE-117
import logging

from django.http import JsonResponse

log = logging.getLogger(__name__)


def search(request):
    """Search endpoint that logs every query for analytics."""
    q = request.GET.get("q", "")
    log.info("search query: %s" % q)
    return JsonResponse({"results": []})
