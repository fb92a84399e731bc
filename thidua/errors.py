"""The one exception an action raises when the rules of the work refuse a change."""


class ActionRefused(Exception):
    """A change the rules refuse; `message` is already translated for the user."""

    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
