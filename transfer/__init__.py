"""Import and export: the Excel workbook, Word sheets in and out, upload checks, legacy .doc/.xls
conversion by LibreOffice, and the backup archive.
"""
