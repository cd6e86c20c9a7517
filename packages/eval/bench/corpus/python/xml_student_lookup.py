# label: vulnerable CWE-611
from lxml import etree


def get_student_info(xml_path: str, username: str):
    """Read the student records file and return the entry for a user."""
    tree = etree.parse(xml_path)
    for student in tree.getroot().iter("student"):
        if student.findtext("username") == username:
            return {"name": student.findtext("name"), "age": student.findtext("age")}
    return None
