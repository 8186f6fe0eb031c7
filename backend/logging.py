"""One JSON object per log line, for log collectors in production."""

import json
import logging
import re


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


# A respondent's magic link holds a secret in its path (/l/<token>/): it never reaches a log line, however
# the path is spelt (/L/…, /l//…, percent-encoded, with a query string after it). Everything after the
# link's prefix up to the end of the URL is dropped.
MAGIC_LINK_PATH = re.compile(r"(?i)(?:/|%2f)+(?:l|%6c)(?:/|%2f|\?|%3f)+[^\s\"']*")


def redact(text):
    return MAGIC_LINK_PATH.sub("/l/[dold]", text) if isinstance(text, str) else text


class RedactTokensFilter(logging.Filter):
    """Rewrites magic-link paths in every record that passes the handler it is attached to."""

    def filter(self, record):
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # gunicorn is only needed in production
    _GunicornLogger = None

if _GunicornLogger is not None:

    class GunicornLogger(_GunicornLogger):
        """gunicorn's access log without magic-link tokens (`--logger-class backend.logging.GunicornLogger`)."""

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            if MAGIC_LINK_PATH.search(str(atoms.get("U", ""))):
                atoms["q"] = "[dold]"
            for key in ("r", "U", "f", "{referer}i"):
                if key in atoms:
                    atoms[key] = redact(atoms[key])
            try:
                from backend.client import address_from_meta

                atoms["h"] = address_from_meta(environ)  # the client, not our proxy (TRUSTED_PROXY_COUNT)
            except Exception:  # noqa: BLE001 - settings not loaded: keep gunicorn's peer address
                pass
            return atoms
