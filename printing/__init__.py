"""Printing: 公司信息, the WeasyPrint renderer and its warm render process, stored PDFs of published
versions, department books (汇编) and their tasks, the CJK font check.
"""
