# label: clean CWE-601
from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET


@require_GET
def go(request):
    """Forward the visitor to a target URL, only if it points at one of our hosts."""
    target = request.GET.get("url", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=set(settings.ALLOWED_HOSTS), require_https=True):
        target = "/"
    return HttpResponseRedirect(target)
