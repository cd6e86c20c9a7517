# label: vulnerable CWE-79
from django.shortcuts import render
from django.utils.safestring import mark_safe


def comment_preview(request):
    """Preview a comment the way it will appear on the page."""
    text = request.POST.get("text", "")
    return render(request, "preview.html", {"comment": mark_safe(text.replace("\n", "<br>"))})
