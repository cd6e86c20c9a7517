# label: vulnerable CWE-918
import urllib.request

from django.http import HttpResponse


def proxy_image(request):
    """Proxy an image so that pages avoid mixed content."""
    src = request.GET["src"]
    with urllib.request.urlopen(src, timeout=5) as resp:
        return HttpResponse(resp.read(), content_type=resp.headers.get_content_type())
