"""Stories: the same event reported by several articles — outlets, languages — becomes one.

``book.StoryBook.file`` puts each new article into the story it reports, or
starts one, in the transaction that stores the article; ``cluster`` decides
(pure), ``fingerprint`` says who did what for how much (from
``alerts.events``), ``embedding`` says what the title and lead mean, in any
language. Stories are stored by ``db.stories``.
"""
