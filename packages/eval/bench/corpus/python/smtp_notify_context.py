# label: clean CWE-295
import smtplib
import ssl
from email.message import EmailMessage


def notify(to: str, subject: str, body: str, user: str, password: str) -> None:
    """Send a message through the relay over TLS with certificate checks."""
    msg = EmailMessage()
    msg["From"] = "noreply@example.com"
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    context = ssl.create_default_context()
    with smtplib.SMTP("smtp.example.com", 587) as server:
        server.starttls(context=context)
        server.login(user, password)
        server.send_message(msg)
