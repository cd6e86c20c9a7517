# label: vulnerable CWE-295
"""Send a notification e-mail through the company relay."""
import smtplib
from email.message import EmailMessage


def notify(to: str, subject: str, body: str, user: str, password: str) -> None:
    msg = EmailMessage()
    msg["From"] = "noreply@example.com"
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    with smtplib.SMTP("smtp.example.com", 587) as server:
        server.starttls()
        server.login(user, password)
        server.send_message(msg)
