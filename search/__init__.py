"""Search: the index of every sheet's text (bigrams, pinyin initials), its queries and the search
page. The core tells it what changed through ``positions.hooks``.
"""
