"""Domain errors the routes turn into HTTP answers, so services never import FastAPI."""


class NotFound(LookupError):
    status_code = 404


class Conflict(ValueError):
    status_code = 409


class Forbidden(PermissionError):
    status_code = 403


class Invalid(ValueError):
    status_code = 422
