# label: clean CWE-89
from django.http import JsonResponse

from .models import Article


def articles(request):
    """Articles matching a title fragment, through the ORM."""
    q = request.GET.get("q", "")
    rows = Article.objects.filter(title__icontains=q).values("id", "title")[:50]
    return JsonResponse({"articles": list(rows)})
