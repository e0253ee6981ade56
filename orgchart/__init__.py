"""The org chart: positions drawn by reporting line. ``layout`` is the tidy-tree layout and SVG
(pure Python), ``services`` decides what each reader sees in it, ``views`` serve it as a page,
SVG and PDF.
"""
