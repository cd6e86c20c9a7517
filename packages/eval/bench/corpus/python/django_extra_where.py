# label: vulnerable CWE-89
from django.http import JsonResponse

from .models import Article


def articles(request):
    """Articles newer than a date the client gives."""
    since = request.GET.get("since", "2020-01-01")
    rows = Article.objects.extra(where=["published >= '%s'" % since]).values("id", "title")
    return JsonResponse({"articles": list(rows)})
