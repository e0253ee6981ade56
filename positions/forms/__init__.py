"""The core's forms: the HR editor (``editor``)."""
