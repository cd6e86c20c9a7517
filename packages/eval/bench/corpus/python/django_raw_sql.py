# label: vulnerable CWE-89
from django.db import connection
from django.http import JsonResponse


def order_report(request):
    """Orders for a customer, sorted by a column the client chooses."""
    customer = request.GET.get("customer")
    sort = request.GET.get("sort", "created")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, total FROM orders WHERE customer_id = {customer} ORDER BY {sort}")
        rows = cursor.fetchall()
    return JsonResponse({"orders": rows})
