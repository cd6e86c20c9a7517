# label: vulnerable CWE-943
"""Find orders for a customer in DynamoDB."""
import boto3

dynamodb = boto3.client("dynamodb")


def orders_for(customer: str, status: str):
    """Scan the orders table with a filter built from the caller's values."""
    return dynamodb.scan(
        TableName="orders",
        FilterExpression="customer = " + customer + " AND order_status = " + status,
    )["Items"]
