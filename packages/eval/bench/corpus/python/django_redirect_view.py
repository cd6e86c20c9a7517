# label: vulnerable CWE-601
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def go(request):
    """Track an outbound click and forward the visitor to the target URL."""
    target = request.GET.get("url", "/")
    ClickLog.objects.create(url=target, user_agent=request.META.get("HTTP_USER_AGENT", ""))
    return HttpResponseRedirect(target)


def landing(request):
    return render(request, "landing.html")
