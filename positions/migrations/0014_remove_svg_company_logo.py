"""Remove an SVG 公司标志: from now on only PNG or JPEG logos are accepted and printed.

An SVG is a program for the PDF renderer: a 2 KB file of nested ``<use>`` passed the former
upload check and then kept every uncached PDF (and the book worker) busy until it timed out.
This clears an SVG logo (by extension or by content), deletes its file through storage and
leaves a marker file, ``company/svg-logo-removed.txt``, from which 公司信息 tells HR to upload
a new logo (``printing.services.company.SVG_LOGO_REMOVED_MARKER``; a new logo removes it).
Reversing does nothing: the file is gone.
"""

from django.core.files.base import ContentFile
from django.db import migrations

SVG_LOGO_REMOVED_MARKER = "company/svg-logo-removed.txt"


def _is_svg(name: str, storage) -> bool:
    if name.lower().endswith(".svg"):
        return True
    try:
        with storage.open(name, "rb") as handle:
            head = handle.read(2048)
    except OSError:
        return False
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return (head.startswith(b"<?xml") or head.startswith(b"<svg")) and b"<svg" in head


def remove_svg_logo(apps, schema_editor):
    CompanyProfile = apps.get_model("positions", "CompanyProfile")
    database = schema_editor.connection.alias
    for profile in CompanyProfile.objects.using(database).exclude(logo=""):
        name, storage = profile.logo.name, profile.logo.storage
        if not _is_svg(name, storage):
            continue
        CompanyProfile.objects.using(database).filter(pk=profile.pk).update(logo="")
        if storage.exists(name):
            storage.delete(name)
        if storage.exists(SVG_LOGO_REMOVED_MARKER):
            storage.delete(SVG_LOGO_REMOVED_MARKER)
        storage.save(SVG_LOGO_REMOVED_MARKER, ContentFile(f"{name}\n".encode()))


class Migration(migrations.Migration):
    dependencies = [("positions", "0013_link_role_groups")]

    operations = [migrations.RunPython(remove_svg_logo, migrations.RunPython.noop)]
